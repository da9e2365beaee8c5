// Battlefield and Final Destination: dark skies, a floating rock with three thin platforms, and a
// single flat slab over a swirling void.
import type { Raster } from '../raster.ts';
import type { StageLook } from './stage.ts';
import type { Camera } from './camera.ts';
import { lerpColor, shade } from '../raster.ts';
import { mix32 } from '../../kit/rng.ts';
import { parallax, sx, sy, toScreen } from './camera.ts';

function sky(r: Raster, stops: number[]): void {
  const n = stops.length - 1;
  for (let y = 0; y < r.height; y++) {
    const t = (y / r.height) * n;
    const k = Math.min(n - 1, Math.floor(t));
    r.span(y, 0, r.width, lerpColor(stops[k], stops[k + 1], t - k));
  }
}

function stars(r: Raster, cam: Camera, variant: number, count: number): void {
  const c = parallax(cam, 0.15);
  const seed = Math.floor(variant * 1e6);
  for (let i = 0; i < count; i++) {
    const h = mix32(seed + i * 7919);
    const x = sx(c, ((h & 0xfff) / 4096) * 3000 - 1500);
    const y = sy(c, (((h >>> 12) & 0xfff) / 4096) * 1400 - 900);
    const s = 1 + ((h >>> 24) & 1);
    r.fillRect(x, y, s, s, lerpColor(0x9090c0, 0xffffff, ((h >>> 25) & 7) / 7));
  }
}

/** A thin floating platform: a slab with a bright top edge. */
function slab(r: Raster, cam: Camera, x0: number, x1: number, y: number, body: number, edge: number): void {
  r.fillPolygon(toScreen(cam, [x0, y, x1, y, x1 - 10, y + 12, x0 + 10, y + 12]), body);
  r.fillRect(sx(cam, x0), sy(cam, y) - 1, (x1 - x0) * cam.zoom, Math.max(2, 3 * cam.zoom), edge);
}

export const battlefield: StageLook = {
  surfaces: [
    { x0: -340, x1: 340, y: 0 },
    { x0: -270, x1: -120, y: -110 },
    { x0: 120, x1: 270, y: -110 },
    { x0: -75, x1: 75, y: -210 },
  ],
  background(r, cam, variant) {
    sky(r, [0x0c1030, lerpColor(0x3a2a6a, 0x2a3a7a, variant), 0x7a4a6a, 0xd08a5a]);
    stars(r, cam, variant, 120);
    const far = parallax(cam, 0.35);
    for (let i = 0; i < 5; i++) {
      const h = mix32(Math.floor(variant * 1000) + i);
      const x = ((h & 0xff) / 255) * 1800 - 900,
        y = 150 + ((h >>> 8) & 0x7f);
      const w = 60 + ((h >>> 16) & 0x7f);
      r.fillPolygon(toScreen(far, [x - w, y, x + w, y, x + w * 0.4, y + w * 0.8, x - w * 0.3, y + w * 0.6]), 0x2a2040);
      r.fillRect(sx(far, x - w), sy(far, y) - 2, w * 2 * far.zoom, 3, 0x4a6a5a);
    }
  },
  platforms(r, cam) {
    const rock = [
      -340, 0, 340, 0, 330, 30, 280, 60, 240, 130, 150, 150, 120, 230, 40, 200, 0, 260, -50, 210, -120, 240, -160, 150, -250, 130, -285, 60, -330, 30,
    ];
    r.fillPolygon(toScreen(cam, rock), 0x3a3448);
    r.fillPolygon(toScreen(cam, [-300, 20, 300, 20, 250, 60, 180, 80, -170, 80, -260, 60]), 0x4a4458);
    for (let i = -6; i <= 6; i++) {
      r.fillPolygon(toScreen(cam, [i * 45, 30, i * 45 + 14, 30, i * 45 + 8, 120 - Math.abs(i) * 10, i * 45 + 4, 120]), 0x2a2638);
    }
    r.fillRect(sx(cam, -340), sy(cam, 0), 680 * cam.zoom, 18 * cam.zoom, 0x6a6a80);
    r.fillRect(sx(cam, -340), sy(cam, 0) - 1, 680 * cam.zoom, Math.max(2, 4 * cam.zoom), 0x90e0f0);
    for (const s of this.surfaces.slice(1)) slab(r, cam, s.x0, s.x1, s.y, 0x58586e, 0xa0f0ff);
  },
};

export const finaldest: StageLook = {
  surfaces: [{ x0: -420, x1: 420, y: 0 }],
  background(r, cam, variant) {
    sky(r, [0x02020a, lerpColor(0x1a0a3a, 0x0a1a40, variant), 0x3a1a5a, 0x0a0a20]);
    stars(r, cam, variant, 60);
    const far = parallax(cam, 0.2);
    // swirling nebula rings and light beams
    // opaque rings, outermost first, brightening inwards (cheaper than stacked translucent ones)
    for (let i = 5; i >= 0; i--) {
      const rad = 120 + i * 90;
      r.fillEllipse(
        sx(far, 0),
        sy(far, -80),
        rad * far.zoom,
        rad * 0.35 * far.zoom,
        0.25 + variant * 0.6,
        lerpColor(lerpColor(0x6a3ac0, 0x30a0e0, i / 6), 0x100828, 0.45 + i * 0.09),
      );
    }
    r.fillEllipse(sx(far, 0), sy(far, -80), 60 * far.zoom, 60 * far.zoom, 0, 0xe0d0ff, 0.5);
    for (let i = 0; i < 4; i++) {
      const x = -600 + i * 400 + variant * 200;
      r.fillPolygon(toScreen(far, [x, -900, x + 40, -900, x + 140, 600, x + 60, 600]), 0x5040a0, 0.15);
    }
  },
  platforms(r, cam) {
    r.fillPolygon(toScreen(cam, [-420, 0, 420, 0, 400, 40, 300, 70, 120, 120, 0, 260, -120, 120, -300, 70, -400, 40]), 0x24203a);
    r.fillPolygon(toScreen(cam, [-380, 30, 380, 30, 290, 60, 110, 105, 0, 220, -110, 105, -290, 60]), 0x3a3060);
    for (let k = 0; k < 3; k++) {
      const y = 45 + k * 22;
      r.fillPolygon(toScreen(cam, [-300 + k * 80, y, 300 - k * 80, y, 290 - k * 80, y + 3, -290 + k * 80, y + 3]), shade(0x8060ff, 1 - k * 0.2));
    }
    r.fillRect(sx(cam, -420), sy(cam, 0), 840 * cam.zoom, 12 * cam.zoom, 0x4a4a5c);
    r.fillRect(sx(cam, -420), sy(cam, 0) - 1, 840 * cam.zoom, Math.max(2, 3 * cam.zoom), 0xc0a0ff);
  },
};
