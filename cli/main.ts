// Entry point: every command is registered by the stage that owns it; heavy modules load lazily
// inside each action so `--help` stays fast.
import { Command } from 'commander';
import { registerBenchCommands } from '../bench/commands.ts';
import { registerSynth } from '../game/command.ts';
import { plugInSyntheticGame } from '../game/source.ts';
import { registerDatasetCommands } from '../dataset/commands.ts';
import { registerModelCommands } from '../engine/commands.ts';
import { registerQuantize, registerTrainingCommands } from '../training/commands.ts';
import { registerServerCommands } from '../server/commands.ts';
import { registerDoctor } from './doctor.ts';
import { runCli } from './run.ts';

const program = new Command('smashsight').description('Recognise the character on screen in live gameplay and feed a stream overlay.').showHelpAfterError();

plugInSyntheticGame(); // `--source synthetic` for serve, demo, capture and bench

registerServerCommands(program);
registerSynth(program);
registerDatasetCommands(program);
registerTrainingCommands(program);
registerQuantize(registerModelCommands(program));
registerBenchCommands(program);
registerDoctor(program);

await runCli(program, process.argv);
