/**
 * Entry point: dispatch the command and turn every UserError into one line on
 * stderr and its exit code. Anything else is a bug: one line plus a request
 * to report it (the stack only with PYCONFINE_DEBUG=1).
 */
import { UserError } from '../errors.js';
import { mainHelp } from './help.js';
import { defaultInitContext, runInit } from './init.js';

declare const __PYCONFINE_VERSION__: string | undefined;
export const VERSION = typeof __PYCONFINE_VERSION__ === 'string' ? __PYCONFINE_VERSION__ : '0.0.0-dev';

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(mainHelp(VERSION));
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'init':
        return await runInit(rest, defaultInitContext());
      default:
        throw new UserError(`unknown command ${JSON.stringify(command)}`, 'run `pyconfine --help` for the commands');
    }
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`pyconfine: ${err.message} — ${err.hint}\n`);
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException;
    if (e && (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' || e.code === 'ENOSPC')) {
      process.stderr.write(`pyconfine: ${e.code} on ${e.path ?? 'a file'} — check the folder's permissions and free space\n`);
      return 1;
    }
    process.stderr.write(`pyconfine: internal error: ${e?.message ?? String(err)} — please report it with the command you ran\n`);
    if (process.env['PYCONFINE_DEBUG']) process.stderr.write(`${e?.stack ?? ''}\n`);
    return 70;
  }
}
