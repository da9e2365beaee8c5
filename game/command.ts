// `smashsight synth`: the labelled synthetic dataset, or with --live the same game as a stream.
import type { Command } from 'commander';
import { CHARACTERS, COLORS, ORIENTATIONS, STAGES } from './labels.ts';
import type { GameLook, View } from './scene.ts';
import { VIEWS } from './scene.ts';
import { checkNumber, intRange, numberRange, parseList, parseOnOff, parseSize } from '../kit/flags.ts';
import { UserError } from '../kit/errors.ts';

interface SynthFlags {
  out: string;
  seed: string;
  characters: string;
  colors: string;
  stages: string;
  orientations: string;
  framesPerCombo: string;
  size: string;
  quality: string;
  hud: string;
  view: string;
  recolor: string;
  masks?: boolean;
  force?: boolean;
  live?: boolean;
  fps: string;
  switchSeconds: string;
  seconds: string;
  timeline?: string;
  window?: string;
  output?: string;
  stdout?: boolean;
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('render the synthetic game: a labelled JPEG dataset, or a live stream with --live')
    .option('--out <dir>', 'dataset folder (frames go to <out>/images/<character>/)', 'data')
    .option('--seed <n>', 'random seed: the same seed gives byte-identical frames', '1')
    .option('--characters <list>', 'comma list of characters', CHARACTERS.join(','))
    .option('--colors <list>', 'comma list of costumes', COLORS.join(','))
    .option('--stages <list>', 'comma list of stages', STAGES.join(','))
    .option('--orientations <list>', 'comma list of facings', ORIENTATIONS.join(','))
    .option('--frames-per-combo <n>', 'frames per character/colour/stage/orientation', '4')
    .option('--size <WxH>', 'frame size', '640x480')
    .option('--quality <q>', 'JPEG quality 1-100', '90')
    .option('--hud <on|off>', 'draw the HUD port slots at the bottom', 'on')
    .option('--view <wide|close>', "the camera's shot: wide (the figure under 10% of the frame) or close (a close-up that follows the player)", 'wide')
    .option('--recolor <share>', 'share of frames (0-1) whose stage is repainted in random colours: training variety, the character keeps its own', '0')
    .option('--masks', "also write each frame's visible-figure mask, <out>/masks/<character>/<frame>.png (for train --paste)")
    .option('--force', 'write into a non-empty images folder')
    .option('--live', 'stream the game instead of writing a dataset')
    .option('--fps <n>', 'live: frames per second', '30')
    .option('--switch-seconds <s>', 'live: seconds between character switches', '4')
    .option('--seconds <s>', 'live: stop after this many seconds (0 = run until Ctrl-C)', '0')
    .option('--timeline <file>', 'live: append the true label timeline here as JSON lines')
    .option('--window <title>', 'live: show in an X11 window with this title (ffplay)')
    .option('--output <url|file>', 'live: encode H.264 to a file or a stream URL (e.g. udp://127.0.0.1:5000?pkt_size=1316)')
    .option('--stdout', 'live: write raw rgb24 frames to stdout')
    .action(async (f: SynthFlags) => {
      const seed = checkNumber('--seed', f.seed, intRange(0, 2 ** 32 - 1));
      const { width, height } = parseSize(f.size, { minWidth: 64, minHeight: 48, max: 4096, even: true });
      const characters = parseList('--characters', f.characters, CHARACTERS);
      const look: GameLook = { hud: parseOnOff('--hud', f.hud), view: parseView(f.view), recolor: checkNumber('--recolor', f.recolor, numberRange(0, 1)) };
      if (f.live) {
        await runLive(f, seed, width, height, characters, look);
        return;
      }
      const { generateDataset } = await import('./synth.ts');
      const s = await generateDataset({
        out: f.out,
        seed,
        characters,
        width,
        height,
        colors: parseList('--colors', f.colors, COLORS),
        stages: parseList('--stages', f.stages, STAGES),
        orientations: parseList('--orientations', f.orientations, ORIENTATIONS),
        framesPerCombo: checkNumber('--frames-per-combo', f.framesPerCombo, intRange(1, 1000)),
        quality: checkNumber('--quality', f.quality, intRange(1, 100)),
        look,
        masks: f.masks === true,
        force: f.force === true,
      });
      process.stdout.write(
        `synth: ${s.frames} frames (${width}x${height}) in ${s.imagesDir}${s.masksDir ? ` (masks in ${s.masksDir})` : ''}, ${s.seconds.toFixed(1)} s: ` +
          `render ${s.renderFps.toFixed(0)} frames/s on one core, JPEG encode ${s.encodeFps.toFixed(0)} frames/s per thread, ` +
          `${(s.frames / s.seconds).toFixed(0)} frames/s overall\n`,
      );
    });
}

function parseView(text: string): View {
  const view = VIEWS.find((v) => v === text);
  if (!view) throw new UserError(`--view '${text}': expected ${VIEWS.join(' or ')}`);
  return view;
}

async function runLive(f: SynthFlags, seed: number, width: number, height: number, characters: string[], look: GameLook): Promise<void> {
  const fps = checkNumber('--fps', f.fps, numberRange(1, 240));
  const switchSeconds = checkNumber('--switch-seconds', f.switchSeconds, numberRange(0.1, 86400));
  const seconds = checkNumber('--seconds', f.seconds, numberRange(0, 1e7));
  if (look.recolor) throw new UserError('--recolor: for dataset frames only, not with --live');
  if (f.masks) throw new UserError('--masks: for dataset frames only, not with --live');
  const outputs = [f.window !== undefined, f.output !== undefined, f.stdout === true].filter(Boolean).length;
  if (outputs !== 1) throw new UserError('synth --live: choose exactly one of --window <title>, --output <url|file>, --stdout');
  if (f.stdout && process.stdout.isTTY) throw new UserError('--stdout writes raw video: pipe it into a program, not a terminal');
  const { startLiveGame } = await import('./live.ts');
  const { runLiveOutput } = await import('./live-output.ts');
  const game = startLiveGame({ seed, fps, width, height, switchSeconds, characters, look, timelinePath: f.timeline });
  const stop = (): void => game.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = seconds > 0 ? setTimeout(stop, seconds * 1000) : undefined;
  const started = Date.now();
  process.stderr.write(`synth --live: ${width}x${height} at ${fps} fps, switching every ${switchSeconds} s (Ctrl-C stops)\n`);
  try {
    await runLiveOutput(
      game,
      f.window !== undefined ? { kind: 'window', title: f.window } : f.output !== undefined ? { kind: 'encode', target: f.output } : { kind: 'stdout' },
      { width, height, fps },
    );
  } finally {
    clearTimeout(timer);
    game.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  process.stderr.write(`synth --live: stopped after ${((Date.now() - started) / 1000).toFixed(1)} s, ` + `${game.timeline.length} labels shown\n`);
}
