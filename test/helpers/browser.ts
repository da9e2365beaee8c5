// What the page tests need: headless Chromium (Debian's chromium driven by playwright-core) and a
// real server with a tiny model. A missing browser fails the test with the command that installs
// it: the pages are the product, so their tests must not silently skip.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHARACTERS } from '../../game/labels.ts';
import { backboneLayers, headLayers, randomWeights } from '../../engine/backbones.ts';
import { exportOnnx } from '../../engine/onnx-export.ts';
import { modelInput, writeModelPackage } from '../../engine/package.ts';
import type { State } from '../../server/protocol.ts';
import type { ServeConfig } from '../../server/serve.ts';
import { CHROMIUM_ARGS } from '../../bench/glass.ts';
import { startTestServer, type TestServer } from './server.ts';

export const CHROMIUM_PATH = process.env.SMASHSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const INSTALL = 'sudo apt-get install -y chromium';

// The flags the glass-to-glass bench launches Chromium with: one list for both.
const ARGS = CHROMIUM_ARGS;

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`${INSTALL}\` (or set SMASHSIGHT_CHROMIUM)`);
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
  } catch (err) {
    throw new Error(`Chromium at ${CHROMIUM_PATH} did not start (${(err as Error).message.split('\n')[0]}); reinstall with \`${INSTALL}\``);
  }
}

/** A page of the given CSS size; uncaught exceptions in it are pushed to `errors`. */
export async function openPage(browser: Browser, url: string, errors: string[], size = { width: 1280, height: 720 }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

/** The eight characters plus one long name (to see names shrink to fit). */
export const PAGE_LABELS = [...CHARACTERS, 'mr-game-and-watch'];

/**
 * A tiny random-weights model package (model.onnx + labels + meta only, no tfjs files): the page
 * tests need a real engine and model labels, not accuracy, and this one costs little CPU.
 */
export async function tinyModel(dir: string): Promise<string> {
  const [height, width] = [32, 32];
  const layers = [...backboneLayers('tiny'), ...headLayers({ classes: PAGE_LABELS.length, width: 8, depth: 1 })];
  const weights = randomWeights(layers, [height, width, 3], 5);
  const meta = {
    name: 'page-test',
    created: new Date().toISOString(),
    input: modelInput(height, width),
    preprocessing: 'caffe',
    backbone: 'tiny',
    weights: 'random(seed=5)',
    head: { width: 8, depth: 1, dropout: 0 },
    classes: PAGE_LABELS.length,
  };
  const pkg = path.join(dir, 'page-model');
  await writeModelPackage(pkg, {
    'model.onnx': exportOnnx({ height, width, layers, weights }),
    'labels.json': JSON.stringify(PAGE_LABELS),
    'meta.json': JSON.stringify(meta),
  });
  return pkg;
}

/** The real server on the synthetic live source with the tiny model, at a low frame rate. */
export function startPageServer(model: string, o: Partial<ServeConfig> = {}): Promise<TestServer> {
  return startTestServer({ model, source: 'synthetic:7', captureFps: 10, fps: 8, ...o });
}

/** Frames are flowing (pages report label paints against a frame's sequence number). */
export async function untilFrames(s: TestServer, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await s.state()).seq === null) {
    if (Date.now() > end) throw new Error(`the server delivered no frame within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function postJson(url: string, body: unknown): Promise<State> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as State;
}
