// The pages' pure helpers: overlay URL parameters (validated once, bad values reported and
// defaulted), region drag geometry, OBS URL variants, generated swatches, graph series.
import { describe, expect, it } from 'vitest';
import { parseOverlayParams } from '../overlay/src/lib/params.ts';
import { moveRect, nextRegionName, rectFromDrag, regionSpecs, upsertRegion } from '../overlay/src/lib/regions.ts';
import { obsVariants } from '../overlay/src/lib/obs-urls.ts';
import { displayName, initialsOf, swatchFor } from '../overlay/src/lib/swatch.ts';
import { droppedRate } from '../overlay/src/lib/series.ts';
import type { RegionView } from '../server/protocol.ts';

describe('overlay URL parameters', () => {
  it('defaults to a dark card at the top left, hiding unknown, fading 500 ms', () => {
    const p = parseOverlayParams('');
    expect(p).toMatchObject({
      regions: [],
      layout: 'card',
      position: 'top-left',
      confidence: false,
      theme: 'dark',
      scale: 1,
      fadeMs: 500,
      hideUnknown: true,
      token: null,
      errors: [],
    });
  });

  it('reads every parameter; regions repeat or come as a comma list, without duplicates', () => {
    const p = parseOverlayParams(
      '?region=p1&region=p2,p3,p1&layout=minimal&position=bottom-right&confidence=1&theme=light&scale=1.5&fade=250&hideUnknown=0&token=s3cret',
    );
    expect(p).toEqual({
      regions: ['p1', 'p2', 'p3'],
      layout: 'minimal',
      position: 'bottom-right',
      confidence: true,
      theme: 'light',
      scale: 1.5,
      fadeMs: 250,
      hideUnknown: false,
      token: 's3cret',
      errors: [],
    });
  });

  it('puts the bar at the bottom unless told otherwise', () => {
    expect(parseOverlayParams('?layout=bar').position).toBe('bottom');
    expect(parseOverlayParams('?layout=bar&position=top').position).toBe('top');
  });

  it('reports each bad value by name and keeps the default', () => {
    const p = parseOverlayParams('?layout=grid&position=middle&confidence=yes&scale=0&fade=-1&region=p_1&colour=red');
    expect(p).toMatchObject({ layout: 'card', position: 'top-left', confidence: false, scale: 1, fadeMs: 500, regions: [] });
    expect(p.errors).toHaveLength(7);
    for (const name of ['layout=grid', 'position=middle', 'confidence=yes', 'scale=0', 'fade=-1', 'region=p_1', 'colour']) {
      expect(
        p.errors.some((e) => e.startsWith(name)),
        name,
      ).toBe(true);
    }
  });
});

describe('region editing', () => {
  it('makes a clamped integer rectangle from two drag corners in any order', () => {
    expect(rectFromDrag({ x: 300.4, y: 200.6 }, { x: 100.2, y: 50 }, 640, 480)).toEqual({ x: 100, y: 50, w: 200, h: 151 });
    expect(rectFromDrag({ x: -20, y: -5 }, { x: 700, y: 500 }, 640, 480)).toEqual({ x: 0, y: 0, w: 640, h: 480 });
  });

  it('moves a rectangle but keeps it inside the frame', () => {
    const r = { x: 100, y: 100, w: 200, h: 100 };
    expect(moveRect(r, 20.4, -30.6, 640, 480)).toEqual({ x: 120, y: 69, w: 200, h: 100 });
    expect(moveRect(r, 1000, 1000, 640, 480)).toEqual({ x: 440, y: 380, w: 200, h: 100 });
    expect(moveRect(r, -1000, -1000, 640, 480)).toEqual({ x: 0, y: 0, w: 200, h: 100 });
  });

  it('names new regions p1, p2, … filling gaps, and keeps order when one is replaced', () => {
    expect(nextRegionName([])).toBe('p1');
    expect(nextRegionName(['p1', 'p3'])).toBe('p2');
    const a = { name: 'p1', x: 0, y: 0, w: 10, h: 10 };
    const b = { name: 'p2', x: 5, y: 5, w: 10, h: 10 };
    expect(upsertRegion([a, b], { ...a, x: 3 })).toEqual([{ ...a, x: 3 }, b]);
    expect(upsertRegion([a], b)).toEqual([a, b]);
  });

  it('sends only drawn regions (the whole-frame pseudo-region has no rectangle)', () => {
    const view = (name: string, rect: RegionView['rect']): RegionView => ({
      name,
      rect,
      label: 'fox',
      confidence: 1,
      overridden: false,
      smoothed: 'fox',
      top: [],
    });
    expect(regionSpecs([view('frame', null)])).toEqual([]);
    expect(regionSpecs([view('p1', { x: 1, y: 2, w: 3, h: 4 })])).toEqual([{ name: 'p1', x: 1, y: 2, w: 3, h: 4 }]);
  });
});

describe('OBS URLs', () => {
  it('offers one card per region plus the other layouts, carrying the token', () => {
    const v = obsVariants('http://127.0.0.1:8080', ['p1', 'p2'], 'a b');
    expect(v.map((x) => x.url)).toEqual([
      'http://127.0.0.1:8080/overlay?token=a+b',
      'http://127.0.0.1:8080/overlay?region=p1&token=a+b',
      'http://127.0.0.1:8080/overlay?region=p2&token=a+b',
      'http://127.0.0.1:8080/overlay?layout=bar&token=a+b',
      'http://127.0.0.1:8080/overlay?layout=minimal&confidence=1&token=a+b',
      'http://127.0.0.1:8080/overlay?theme=light&position=bottom-right&token=a+b',
    ]);
    expect(obsVariants('http://h:1', [], null)[0]!.url).toBe('http://h:1/overlay');
  });
});

describe('swatches and names', () => {
  it('gives each character a stable swatch; the eight characters get distinct colours', () => {
    expect(swatchFor('marth')).toEqual(swatchFor('Marth'));
    const hues = ['fox', 'falco', 'marth', 'sheik', 'peach', 'falcon', 'puff', 'samus'].map((n) => swatchFor(n).hue);
    expect(new Set(hues).size).toBe(8);
  });

  it('makes initials and display names from labels', () => {
    expect(initialsOf('fox')).toBe('Fo');
    expect(initialsOf('mr-game-and-watch')).toBe('MG');
    expect(displayName('mr-game-and-watch')).toBe('Mr Game And Watch');
  });
});

describe('graph series', () => {
  it('turns the cumulative dropped counter into a rate, never negative after a server restart', () => {
    const s = (t: number, dropped: number) => ({ t, fpsIn: 0, fpsOut: 0, dropped, latencyP50Ms: null, latencyP95Ms: null });
    expect(droppedRate([s(0, 0), s(1000, 10), s(3000, 30), s(4000, 2)])).toEqual([0, 10, 10, 0]);
  });
});
