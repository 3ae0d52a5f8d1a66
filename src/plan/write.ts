/**
 * Apply a plan: the only code that writes to disk. Every write is atomic
 * (temp file in the same directory, then rename) and keeps an existing file's
 * mode. Conflicts are refused as a whole before anything is written, unless
 * the caller resolved them (`--force` or an interactive yes).
 */
import path from 'node:path';
import { UserError } from '../errors.js';
import type { PlanEntry } from './plan.js';
import type { PlanFs } from './paths.js';

export interface ApplyOptions {
  /** Paths of conflicting files the user agreed to overwrite (`--force` = all). */
  readonly overwrite: ReadonlySet<string> | 'all';
}

export function conflictsOf(plan: readonly PlanEntry[]): PlanEntry[] {
  return plan.filter((e) => e.action === 'conflict');
}

export async function applyPlan(fs: PlanFs, plan: readonly PlanEntry[], opts: ApplyOptions): Promise<PlanEntry[]> {
  const blocked = conflictsOf(plan).filter((e) => opts.overwrite !== 'all' && !opts.overwrite.has(e.path));
  if (blocked.length > 0) {
    const names = blocked.map((e) => e.path).join(', ');
    throw new UserError(
      `${names} ${blocked.length === 1 ? 'was' : 'were'} changed since pyconfine wrote ${blocked.length === 1 ? 'it' : 'them'}; nothing was written`,
      'review the difference with --dry-run, then re-run with --force to overwrite',
      { exitCode: 1 },
    );
  }
  const written: PlanEntry[] = [];
  for (const entry of plan) {
    if (entry.action === 'unchanged') continue;
    await writeAtomic(fs, entry.target, entry.file.content, entry.file.mode);
    written.push(entry);
  }
  return written;
}

let counter = 0;

export async function writeAtomic(fs: PlanFs, target: string, content: string, mode: number): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  let finalMode = mode;
  try {
    finalMode = (await fs.stat(target)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = path.join(dir, `.${path.basename(target)}.pyconfine-${process.pid}-${++counter}.tmp`);
  try {
    await fs.writeFile(tmp, content, { mode: finalMode, flag: 'wx' });
    await fs.chmod(tmp, finalMode);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}
