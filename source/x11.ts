// X11 window lookup for `window:<title>` and `dolphin`: one `xwininfo -root -tree` for titles and
// geometry, one `xdotool search --onlyvisible` to keep only mapped windows. Resolved afresh on
// every open, so a restarted capture follows a window that moved or was re-created.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../kit/errors.ts';

export interface X11Window {
  id: number;
  title: string;
  /** Absolute position on the root window. */
  x: number;
  y: number;
  width: number;
  height: number;
}

const run = promisify(execFile);
const TREE_LINE = /^\s*(0x[0-9a-f]+) "(.*)": \(.*\)\s+(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$/;

export function parseWindowTree(text: string): X11Window[] {
  const out: X11Window[] = [];
  for (const line of text.split('\n')) {
    const m = TREE_LINE.exec(line);
    if (!m) continue;
    out.push({
      id: parseInt(m[1]!, 16),
      title: m[2]!,
      width: Number(m[3]),
      height: Number(m[4]),
      x: Number(m[5]),
      y: Number(m[6]),
    });
  }
  return out;
}

async function tool(cmd: string, args: string[], display: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env: { ...process.env, DISPLAY: display }, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; code?: number | string };
    if (e.code === 'ENOENT') {
      throw new UserError(`${cmd} not found, needed to find X11 windows (sudo apt-get install -y x11-utils xdotool)`);
    }
    // xdotool exits 1 when nothing matches; that is an empty answer, not a failure.
    if (typeof e.stdout === 'string' && cmd === 'xdotool') return e.stdout;
    throw new UserError(`${cmd} failed on display ${display}: ${String(e.message).split('\n')[0]}`);
  }
}

/** Visible, titled, non-trivial windows on `display`, largest first. */
export async function listWindows(display: string): Promise<X11Window[]> {
  const [tree, visible] = await Promise.all([
    tool('xwininfo', ['-root', '-tree'], display),
    tool('xdotool', ['search', '--onlyvisible', '--name', '.'], display),
  ]);
  const ids = new Set(visible.split(/\s+/).filter(Boolean).map(Number));
  return parseWindowTree(tree)
    .filter((w) => ids.has(w.id) && w.title && w.width > 1 && w.height > 1)
    .sort((a, b) => b.width * b.height - a.width * a.height);
}

function describe(windows: X11Window[]): string {
  if (windows.length === 0) return 'no visible windows';
  return `visible windows: ${windows
    .slice(0, 12)
    .map((w) => `"${w.title}" (${w.width}x${w.height})`)
    .join(', ')}`;
}

/** The largest visible window whose title contains `title`. */
export async function findWindow(title: string, display: string): Promise<X11Window> {
  const windows = await listWindows(display);
  const hit = windows.find((w) => w.title.includes(title));
  if (!hit) throw new UserError(`no visible window titled '${title}' on display ${display}; ${describe(windows)}`);
  return hit;
}

/** Dolphin's render window: title naming Melee's game id, else one starting with "Dolphin". */
export function pickDolphin<T extends { title: string }>(windows: T[]): T | undefined {
  return windows.find((w) => /GALE01|Melee/i.test(w.title)) ?? windows.find((w) => w.title.startsWith('Dolphin'));
}

export async function findDolphinWindow(display: string): Promise<X11Window> {
  const windows = await listWindows(display);
  const hit = pickDolphin(windows);
  if (!hit) throw new UserError(`no Dolphin window (title with GALE01/Melee or starting 'Dolphin') on ${display}; ${describe(windows)}`);
  return hit;
}
