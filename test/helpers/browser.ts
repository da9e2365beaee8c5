// What the page tests need: headless Chromium (Debian's chromium driven by playwright-core) and a
// real server with a tiny model. A missing browser fails the test with the command that installs
// it: the pages are the product, so their tests must not silently skip.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHARACTERS } from '../../game/labels.ts';
import type { State } from '../../server/protocol.ts';
import type { ServeConfig } from '../../server/serve.ts';
import { CHROMIUM_ARGS } from '../../bench/glass.ts';
import { startTestServer, type TestServer } from './server.ts';
import { randomPackage } from './training-fixtures.ts';

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
  const pkg = path.join(dir, 'page-model');
  await randomPackage(pkg, PAGE_LABELS, { width: 32, height: 32 });
  return pkg;
}

/** The real server on the synthetic live source with the tiny model, at a low frame rate. */
export function startPageServer(model: string, o: Partial<ServeConfig> = {}): Promise<TestServer> {
  return startTestServer({ model, source: 'synthetic:7', captureFps: 10, fps: 8, ...o });
}

export interface PageFixture {
  browser: Browser;
  /** The page server; a test that restarts it assigns the new one here (afterAll stops it). */
  server: TestServer;
  model: string;
  /** Uncaught exceptions in any page: the file fails if there is one. */
  errors: string[];
}

/** One browser and one page server with the tiny model for a test file, frames flowing before the first test. */
export function pageFixture(): PageFixture {
  const fx = { errors: [] as string[] } as PageFixture;
  beforeAll(async () => {
    fx.model = await tinyModel(fs.mkdtempSync(path.join(os.tmpdir(), 'ss-')));
    [fx.browser, fx.server] = await Promise.all([launchBrowser(), startPageServer(fx.model)]);
    await untilFrames(fx.server);
  });
  afterAll(async () => {
    expect(fx.errors).toEqual([]);
    await fx.browser?.close();
    await fx.server?.stop();
  });
  return fx;
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
