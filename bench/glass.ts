// Glass-to-glass: capture → paint. The overlay page, open in headless Chromium, reports which
// frame's label it painted and when (`painted` messages); the server turns those into latencies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { startServer, type ServeConfig } from '../server/serve.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface GlassResult {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** From the moment the synthetic game drew the frame (it stamps each one), not ffmpeg's output. */
  fromDraw: { samples: number; p50: number | null; p95: number | null };
}

export async function measureGlass(o: {
  config: ServeConfig;
  engine: Engine;
  labels: string[];
  seconds: number;
  log: (l: string) => void;
}): Promise<GlassResult> {
  const page = path.join(o.config.staticRoot, 'overlay.html');
  if (!fs.existsSync(page)) throw new UserError(`${page}: missing; build the overlay first (npm run build)`);
  if (!fs.existsSync(CHROMIUM)) throw new UserError(`${CHROMIUM}: missing; install it (sudo apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core');
  // The overlay reports every painted frame; characters switch every second so labels change too.
  const server = await startServer(
    { ...o.config, port: 0 },
    {
      readyEngine: { ...o.engine, dispose: async () => {} },
      labels: o.labels,
      log: () => {},
      frameOptions: { switchSeconds: 1 },
    },
  );
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  try {
    const tab = browser.pages()[0] ?? (await browser.newPage());
    await tab.goto(`${server.url}/overlay`);
    o.log(`glass-to-glass: overlay open, measuring ${o.seconds.toFixed(0)} s…`);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const g = server.metrics.glass;
    const d = server.metrics.drawToPaint;
    // Counts from the histograms (every sample); percentiles from the most recent 512.
    return {
      samples: server.metrics.glassHist.count,
      p50: g.percentile(50),
      p95: g.percentile(95),
      p99: g.percentile(99),
      fromDraw: { samples: server.metrics.drawToPaintHist.count, p50: d.percentile(50), p95: d.percentile(95) },
    };
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
