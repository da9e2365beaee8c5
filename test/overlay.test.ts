// The OBS overlay in headless Chromium against the real server (synthetic live source, tiny
// model): it shows what the server says, animates changes, is transparent outside its card,
// follows its URL parameters, and comes back with the full state after a server restart.
import sharp from 'sharp';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, pageFixture, postJson, startPageServer, untilFrames } from './helpers/browser.ts';
import type { State } from '../server/protocol.ts';

const fx = pageFixture();

async function overlay(query: string, size = { width: 960, height: 540 }): Promise<Page> {
  return openPage(fx.browser, `${fx.server.url}/overlay${query}`, fx.errors, size);
}

const override = (label: string | null, region = 'frame'): Promise<State> => postJson(`${fx.server.url}/api/override`, { region, label });

/** expect.poll with a timeout that fits a page load plus a server round trip. */
const poll = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

const textOf = (loc: Locator): Promise<string> =>
  loc
    .first()
    .textContent({ timeout: 500 })
    .then(
      (t) => (t ?? '').trim(),
      () => '',
    );

/** The label of the card shown for a region ('' when no card). */
const shownLabel = (page: Page, region = 'frame'): Promise<string> =>
  page
    .locator(`.card[data-region="${region}"]`)
    .getAttribute('data-label', { timeout: 200 })
    .then(
      (l) => l ?? '',
      () => '',
    );

describe('overlay page', () => {
  it('shows the label the server sent, and reports its paint for glass-to-glass', async () => {
    const page = await overlay('?fade=0&hideUnknown=0');
    await poll(async () => (await shownLabel(page)) === (await fx.server.state()).regions[0]!.label, 15_000).toBe(true);
    await override('marth');
    await poll(() => shownLabel(page)).toBe('marth');
    await poll(() => textOf(page.locator('.card .name').first())).toBe('Marth');
    // The page sent `painted` for a frame's sequence number: the server turned it into a figure.
    await poll(async () => (await fx.server.state()).metrics.glassP50Ms, 10_000).not.toBeNull();
    await override(null);
    await page.close();
  });

  it('animates a label change (old fades, new slides in) and lands on the new label', async () => {
    await override('fox');
    const page = await overlay('?fade=800');
    await poll(() => shownLabel(page)).toBe('fox');
    // Sample the opacity of the incoming face on every animation frame.
    await page.evaluate(`window.__samples = []; (function loop() {
      const el = document.querySelector('[data-face="samus"]');
      if (el) window.__samples.push(Number(getComputedStyle(el).opacity));
      requestAnimationFrame(loop);
    })()`);
    await override('samus');
    await poll(() => shownLabel(page)).toBe('samus');
    await poll(() => page.locator('[data-face="fox"]').count(), 5000).toBe(0);
    await page.waitForTimeout(200);
    const samples = (await page.evaluate('window.__samples')) as number[];
    expect(
      samples.some((o) => o > 0.05 && o < 0.95),
      `opacities seen: ${samples.join(' ')}`,
    ).toBe(true);
    expect(samples.at(-1)).toBe(1);
    await poll(() => textOf(page.locator('.card .name'))).toBe('Samus');
    await override(null);
    await page.close();
  });

  it('is transparent (alpha 0) everywhere outside the card', async () => {
    await override('peach');
    const page = await overlay('?fade=0&position=top-left');
    await poll(() => shownLabel(page)).toBe('peach');
    const box = (await page.locator('.card').boundingBox())!;
    const png = await page.screenshot({ omitBackground: true });
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alpha = (x: number, y: number): number => data[(y * info.width + x) * 4 + 3]!;
    const margin = 40; // the card's drop shadow
    let outside = 0;
    let opaqueOutside = 0;
    for (let y = 0; y < info.height; y += 2) {
      for (let x = 0; x < info.width; x += 2) {
        if (x > box.x - margin && x < box.x + box.width + margin && y > box.y - margin && y < box.y + box.height + margin) continue;
        outside++;
        if (alpha(x, y) !== 0) opaqueOutside++;
      }
    }
    expect(outside).toBeGreaterThan(50_000);
    expect(opaqueOutside).toBe(0);
    expect(alpha(Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2))).toBeGreaterThan(150);
    await override(null);
    await page.close();
  });

  it('takes its layout from URL parameters', async () => {
    await override('falcon');
    const size = { width: 960, height: 540 };
    const card = async (query: string): Promise<{ x: number; y: number; width: number; height: number; bg: string; meter: number }> => {
      const page = await overlay(`?fade=0&${query}`, size);
      await poll(() => shownLabel(page)).toBe('falcon');
      const c = page.locator('.card');
      const out = {
        ...(await c.boundingBox())!,
        bg: (await page.evaluate(`getComputedStyle(document.querySelector('.card')).backgroundColor`)) as string,
        meter: await page.locator('[role="meter"]').count(),
      };
      await page.close();
      return out;
    };
    const plain = await card('');
    expect(plain.x).toBeLessThan(size.width / 4);
    expect(plain.y).toBeLessThan(size.height / 4);
    expect(plain.meter).toBe(0);

    const br = await card('position=bottom-right&confidence=1');
    expect(br.x + br.width).toBeGreaterThan(size.width * 0.9);
    expect(br.y + br.height).toBeGreaterThan(size.height * 0.9);
    expect(br.meter).toBe(1);

    const bar = await card('layout=bar');
    expect(bar.width).toBeGreaterThan(size.width * 0.95);
    expect(bar.y + bar.height).toBeGreaterThan(size.height * 0.98);

    const light = await card('theme=light');
    expect(light.bg).not.toBe(plain.bg);
    expect(Number(/\d+/.exec(light.bg)![0])).toBeGreaterThan(200);

    const big = await card('scale=2');
    expect(big.width).toBeCloseTo(plain.width * 2, -1);
    await override(null);
  });

  it('shrinks a long name to fit, hides unknown (or shows a dash) and lists bad parameters', async () => {
    await override('mr-game-and-watch');
    const page = await overlay('?fade=0&theme=light&layout=minimal&bogus=1&fade=0&scale=9');
    await poll(() => shownLabel(page)).toBe('mr-game-and-watch');
    const [scroll, client] = (await page.evaluate(
      `(() => { const el = document.querySelector('.card .name'); return [el.scrollWidth, el.clientWidth]; })()`,
    )) as number[];
    expect(scroll).toBeLessThanOrEqual(client! + 1);
    await poll(() => textOf(page.getByTestId('param-errors'))).toContain('bogus');
    await poll(() => textOf(page.getByTestId('param-errors'))).toContain('scale=9');
    await page.close();
    await override(null);

    // A region the server does not have is unknown: no card by default, a dash on request.
    const hidden = await overlay('?fade=0&region=p9');
    await hidden.waitForTimeout(1000);
    await poll(() => hidden.locator('.card').count()).toBe(0);
    await hidden.close();
    const dash = await overlay('?fade=0&region=p9&hideUnknown=0');
    await poll(() => textOf(dash.locator('.card[data-region="p9"] .name'))).toBe('—');
    await dash.close();
  });

  it('fades out while the server is gone and shows the full state again after it restarts', async () => {
    const page = await overlay('?fade=200&hideUnknown=0&region=p1,p2');
    await poll(() => textOf(page.locator('.card[data-region="p1"] .name'))).toBe('—');
    const port = fx.server.server.port;
    await fx.server.stop();
    await poll(() => page.locator('main').getAttribute('data-stale'), 10_000).toBe('1');
    await poll(() => page.evaluate(`getComputedStyle(document.querySelector('main')).opacity`).then(Number)).toBe(0);

    // Same port, now with two regions and an override: the hello alone must put all of it on screen.
    fx.server = await startPageServer(fx.model, {
      port,
      regions: [
        { name: 'p1', x: 0, y: 0, w: 160, h: 120 },
        { name: 'p2', x: 320, y: 240, w: 160, h: 120 },
      ],
    });
    await override('sheik', 'p2');
    await untilFrames(fx.server);
    await poll(() => page.locator('main').getAttribute('data-stale'), 15_000).toBe('0');
    await poll(() => shownLabel(page, 'p2'), 15_000).toBe('sheik');
    const p1 = async (): Promise<string> => (await fx.server.state()).regions.find((r) => r.name === 'p1')!.label;
    await poll(async () => (await shownLabel(page, 'p1')) === (await p1())).toBe(true);
    await page.close();
  });
});
