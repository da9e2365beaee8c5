// `split` and `capture`: flags are validated here, once; the work modules load lazily.
import { type Command, Option } from 'commander';
import { intRange, numberFlag, numberRange, parseSize } from '../kit/flags.ts';
import { SOURCE_SPEC_HELP } from '../source/spec.ts';

const GROUP_FIELDS = ['stage', 'color', 'orientation', 'character', 'session'];

export function registerDatasetCommands(program: Command): void {
  program
    .command('split')
    .description("shuffle labelled frames into train/valid/test folders (the notebook's `make keras`)")
    .option('--in <dir>', 'frames as <dir>/<character>/<name>.jpg', 'data/images')
    .option('--out <dir>', 'writes <out>/{train,valid,test}/images/<character>/', 'data/keras')
    .option('--seed <n>', 'shuffle seed: same seed, same split', numberFlag('--seed', intRange(0, 2 ** 32 - 1)), 1)
    .option('--train <pct>', 'percent of frames for training', numberFlag('--train', numberRange(0, 100)), 80)
    .option('--valid <pct>', 'percent for validation', numberFlag('--valid', numberRange(0, 100)), 10)
    .option('--test <pct>', 'percent for testing', numberFlag('--test', numberRange(0, 100)), 10)
    .addOption(
      new Option(
        '--group-by <field>',
        'keep every frame of a group in one split (groups dealt by seed): a label field, or ' +
          "'session' = one `capture` run (from <in>/<character>/capture-sessions.jsonl), else all frames of one label",
      ).choices(GROUP_FIELDS),
    )
    .option('--copy', 'copy files instead of hard-linking them', false)
    .option('--force', 'replace a non-empty output folder', false)
    .option('--skip-bad', 'leave out badly named or corrupt frames instead of stopping', false)
    .option('--no-check-jpeg', 'skip decoding every JPEG (faster; corrupt files go unnoticed)')
    .action(
      async (o: {
        in: string;
        out: string;
        seed: number;
        train: number;
        valid: number;
        test: number;
        groupBy?: string;
        copy: boolean;
        force: boolean;
        skipBad: boolean;
        checkJpeg: boolean;
      }) => {
        const { runSplit } = await import('./split-write.ts');
        const { GROUP_FIELDS: fields } = await import('./split.ts');
        const groupBy = fields.find((f) => f === o.groupBy);
        await runSplit({ ...o, groupBy, percent: { train: o.train, valid: o.valid, test: o.test } });
      },
    );

  program
    .command('capture')
    .description('record labelled frames from a live source named as the notebook named its frames')
    .requiredOption('--source <spec>', SOURCE_SPEC_HELP)
    .requiredOption('--label <label>', '<character>_<color>_<stage>_<orientation>, e.g. fox_red_battlefield_left')
    .option('--fps <n>', 'frames per second to keep', numberFlag('--fps', numberRange(0.01, 240)), 2)
    .option('--out <dir>', 'writes <out>/<character>/<label>_bg_on_<NNN>.jpg', 'data/images')
    .option('--frames <n>', 'stop after this many frames', numberFlag('--frames', intRange(1, 1e9)))
    .option('--seconds <s>', 'stop after this many seconds', numberFlag('--seconds', numberRange(0.01, 1e7)))
    .option('--size <WxH>', 'frame size written', '640x480')
    .option('--quality <q>', 'JPEG quality 1-100', numberFlag('--quality', intRange(1, 100)), 90)
    .addHelpText('after', '\nWithout --frames or --seconds a live source records until Ctrl+C; a file until it ends.')
    .action(async (o: { source: string; label: string; fps: number; out: string; frames?: number; seconds?: number; size: string; quality: number }) => {
      const { parseSourceSpec } = await import('../source/spec.ts');
      const { parseLabel } = await import('./naming.ts');
      const { runCapture } = await import('./capture.ts');
      const label = parseLabel(o.label);
      const { labelOf } = await import('./sessions.ts');
      if (labelOf(label) !== o.label)
        process.stderr.write(`--label ${o.label}: written as ${labelOf(label)} (labels are lower case: one class per character)\n`);
      await runCapture({ ...o, source: parseSourceSpec(o.source), label, ...parseSize(o.size) });
    });
}
