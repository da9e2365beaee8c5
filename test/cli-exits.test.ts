// Exit codes and one-line errors of the CLI as a user meets them (issue 11 §11): serve on a file
// played once, a file that cannot be read, unknown commands, missing or bad flags, a device this
// machine lacks. Each is the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { tempDir } from './helpers/server.ts';

/** The CLI, killed after two minutes (a server that does not end would run forever). */
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

/** What the user reads, without the engine's announcement and the missing-pages note. */
const said = (r: { stdout: string; stderr: string }): string[] => (r.stdout + r.stderr).split('\n').filter((l) => l && !/^(engine|note):/.test(l));

const serve = (...extra: string[]) => ['serve', '--model', 'models/demo', '--port', '0', '--static', tempDir(), ...extra];

describe('exit codes', () => {
  it('serve file: played once ends with a summary and exit 0', () => {
    const clip = path.join(tempDir(), 'clip.mp4');
    const made = spawnSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
    expect(made.status).toBe(0);
    const r = run(serve('--source', `file:${clip}`));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`source file:${clip.replace(/[.]/g, '\\.')} ended: \\d+ frames in, \\d+ classified`));
  });

  it('serve on a file that cannot be read: exit 1, saying why', () => {
    const missing = path.join(tempDir(), 'missing.mp4');
    const r = run(serve('--source', `file:${missing}`));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`source file:${missing} down (`);
    expect(r.stdout).toMatch(/No such file|frame size/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['serve', '--static', '.'], /^smashsight: --model: required/],
    [['serve', '--model', 'models/demo'], /^smashsight: --source: required/],
    [['serve', '--model', 'models/nope', '--source', 'synthetic'], /^smashsight: models\/nope: no such model folder/],
    [serve('--source', 'synthetic', '--device', 'cuda'), /^smashsight: --device cuda: not available here \(/],
    [serve('--source', 'synthetic', '--device', 'gpu'), /option '--device <name>' argument 'gpu' is invalid/],
    [serve('--source', 'synthetic', '--stall-seconds', '0'), /^smashsight: --stall-seconds: /],
    [serve('--source', 'synthetic', '--allow-host', 'a b'), /^smashsight: --allow-host: "a b" is not a host name/],
    [serve('--source', 'nosuch:thing'), /^smashsight: .*nosuch/],
  ])('%j: exit 1 with one line, no stack', (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(1);
    const lines = said(r);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });
});
