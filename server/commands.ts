// `serve` and `demo`. Heavy modules (engines, sharp, ws) load inside the actions so
// `smashsight --help` stays fast.
import type { Command } from 'commander';
import { addServeOptions, type ServeFlags } from './options.ts';
import { registerVod } from './vod-command.ts';

/** What `demo` (and `bench`) run when told nothing else. */
export const DEMO = { model: 'models/demo', source: 'synthetic' };

async function serve(flags: ServeFlags, cmd: Command, demo: boolean): Promise<void> {
  const { resolveServeConfig } = await import('./options.ts');
  const { startServer } = await import('./serve.ts');
  const config = resolveServeConfig(flags, cmd);
  const server = await startServer(config);
  const token = config.token ? `?token=${encodeURIComponent(config.token)}` : '';
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const shown = wildcard ? `http://localhost:${server.port}` : server.url;
  const q = (setup?: string): string => {
    const p = new URLSearchParams();
    if (setup) p.set('setup', setup);
    if (config.token) p.set('token', config.token);
    return p.size ? `?${p.toString()}` : '';
  };
  // Several setups: one overlay URL each (the operator page switches between them).
  const overlays = config.setups?.length
    ? config.setups.map((s) => `overlay:  ${shown}/overlay${q(s.name)}   (setup ${s.name}; OBS: Browser source, 1920×1080)\n`).join('')
    : `overlay:  ${shown}/overlay${token}   (OBS: Browser source, 1920×1080)\n`;
  process.stdout.write(
    `${demo ? 'smashsight demo: synthetic gameplay → demo model\n' : ''}` +
      overlays +
      `operator: ${shown}/operator${token}\n` +
      `state:    ${shown}/api/state   metrics: ${shown}/metrics\n`,
  );
  const stop = async (): Promise<void> => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  // Only a file played once ends a run; a live source is restarted forever.
  const summary = await server.ended;
  const s = summary.source;
  process.stdout.write(
    `source ${s.spec} ${s.state}${s.lastError ? ` (${s.lastError})` : ''}: ${summary.framesIn} frames in, ${summary.framesOut} classified, ` +
      `${summary.dropped} dropped, ${summary.seconds.toFixed(1)} s (${(summary.framesOut / summary.seconds).toFixed(1)} frames/s)\n`,
  );
  await server.close();
  if (s.state === 'down') process.exitCode = 1;
}

export function registerServerCommands(program: Command): void {
  addServeOptions(program.command('serve').description('classify live frames and serve the overlay, API and WebSocket')).action(
    async (flags: ServeFlags, cmd: Command) => serve(flags, cmd, false),
  );

  addServeOptions(program.command('demo').description('serve the demo model on the synthetic game (what `npm start` runs)'), DEMO).action(
    async (flags: ServeFlags, cmd: Command) => serve(flags, cmd, true),
  );

  registerVod(program);
}
