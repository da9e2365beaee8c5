// One place turns an error into the one-line message and non-zero exit every command promises.
import type { Command } from 'commander';
import { UserError } from '../kit/errors.ts';

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`smashsight: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
