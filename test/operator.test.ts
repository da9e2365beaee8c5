// The operator page in headless Chromium against the real server: drawing and moving a region with
// the mouse changes the server's regions; an override clicked there shows in the overlay and clears.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, pageFixture } from './helpers/browser.ts';

const fx = pageFixture();

const poll = <T>(fn: () => Promise<T> | T, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

/** Drags on the region editor between two points given as fractions of the preview. */
async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.getByTestId('region-editor').boundingBox())!;
  const at = ([fx, fy]: [number, number]): [number, number] => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(from));
  await page.mouse.down();
  await page.mouse.move(...at(to), { steps: 8 });
  await page.mouse.up();
}

const regionRect = async (name: string) => (await fx.server.state()).regions.find((r) => r.name === name)?.rect ?? null;

describe('operator page', () => {
  it('draws a region with the mouse, then moves it; the server follows', async () => {
    const page = await openPage(fx.browser, `${fx.server.url}/operator`, fx.errors);
    await page.getByTestId('region-editor').waitFor();
    const { width, height } = (await fx.server.state()).source as { width: number; height: number };

    await drag(page, [0.1, 0.2], [0.4, 0.5]);
    await poll(() => regionRect('p1')).not.toBeNull();
    const drawn = (await regionRect('p1'))!;
    expect(drawn.x).toBeCloseTo(0.1 * width, -1);
    expect(drawn.y).toBeCloseTo(0.2 * height, -1);
    expect(drawn.w).toBeCloseTo(0.3 * width, -1);
    expect(drawn.h).toBeCloseTo(0.3 * height, -1);
    // The whole-frame pseudo-region gave way to the drawn one, and its panel appeared.
    expect((await fx.server.state()).regions.map((r) => r.name)).toEqual(['p1']);
    await page.locator('[data-region-panel="p1"]').waitFor();

    // Grab the region in its middle and move it right and down.
    await drag(page, [0.25, 0.35], [0.45, 0.45]);
    await poll(async () => (await regionRect('p1'))?.x).toBeGreaterThan(drawn.x + 0.15 * width);
    const moved = (await regionRect('p1'))!;
    expect(moved.y).toBeCloseTo(drawn.y + 0.1 * height, -1);
    expect([moved.w, moved.h]).toEqual([drawn.w, drawn.h]);

    // A click without a drag adds nothing.
    await drag(page, [0.8, 0.8], [0.8, 0.8]);
    await page.waitForTimeout(500);
    expect((await fx.server.state()).regions.map((r) => r.name)).toEqual(['p1']);
    await page.close();
  });

  it('an override clicked on the operator page shows in the overlay, and clear gives it back to the model', async () => {
    const operator = await openPage(fx.browser, `${fx.server.url}/operator`, fx.errors);
    const region = (await fx.server.state()).regions[0]!;
    const overlay = await openPage(fx.browser, `${fx.server.url}/overlay?fade=0&hideUnknown=0&region=${region.name}`, fx.errors, { width: 960, height: 540 });
    const shown = () =>
      overlay
        .locator('.card')
        .getAttribute('data-label', { timeout: 500 })
        .catch(() => null);
    // Pick a label the model is not showing, so the change is the override's doing.
    const target = region.smoothed === 'puff' ? 'samus' : 'puff';

    await operator.locator(`[data-region-panel="${region.name}"] [data-override="${target}"]`).click();
    await poll(shown).toBe(target);
    expect((await fx.server.state()).regions[0]!.overridden).toBe(true);
    await poll(() => operator.locator(`[data-region-panel="${region.name}"] .badge`).count()).toBe(1);

    await operator.locator(`[data-region-panel="${region.name}"] [data-override-clear]`).click();
    await poll(async () => (await fx.server.state()).regions[0]!.overridden).toBe(false);
    // Back to what the model says (compared live: the model's label may move on meanwhile).
    await poll(async () => (await shown()) === (await fx.server.state()).regions[0]!.label).toBe(true);
    await operator.close();
    await overlay.close();
  });
});
