// One place turns an error into the one-line message and non-zero exit every command promises.
// A file-system error no command anticipated (a folder that is a file, a full disk, no permission)
// is still one line naming the path: a stack trace tells a user nothing they can act on.
import type { Command } from 'commander';
import { UserError } from '../kit/errors.ts';

const FS_CODES: Record<string, string> = {
  ENOTDIR: 'part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
};

/** The one line for a Node file-system error (it has a syscall and a known code), else null. */
export function fileSystemErrorLine(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return null;
  const why = FS_CODES[e.code];
  if (!why) return null;
  return `${e.path ? `${e.path}: ` : ''}${why} (${e.code}, ${e.syscall})`;
}

export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`smashsight: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const line = fileSystemErrorLine(err);
    if (line !== null && !process.env.SMASHSIGHT_STACK) {
      process.stderr.write(`smashsight: ${line}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
