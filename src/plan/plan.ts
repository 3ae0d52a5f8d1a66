/**
 * Turn rendered files into a plan against what is on disk:
 * create / update / unchanged / conflict. Reads only; `write.ts` applies it.
 *
 * A file is `update`d only when what is on disk is exactly what pyconfine last
 * wrote (its hash is recorded in .pyconfine.json). Anything else that differs
 * is a `conflict`: the user changed it, or it was theirs to begin with.
 */
import { createHash } from 'node:crypto';
import type { RenderedFile } from '../render/types.js';
import { type PlanFs, resolveInside } from './paths.js';

export type Action = 'create' | 'update' | 'unchanged' | 'conflict';

export interface PlanEntry {
  readonly path: string;
  readonly action: Action;
  readonly file: RenderedFile;
  /** Current content on disk, when the file exists. */
  readonly before?: string;
  /** Absolute target path (already checked to stay inside the target dir). */
  readonly target: string;
}

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export async function planFiles(
  fs: PlanFs,
  root: string,
  files: readonly RenderedFile[],
  recorded: Readonly<Record<string, string>>,
): Promise<PlanEntry[]> {
  const entries: PlanEntry[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two renderers produced ${file.path}`);
    seen.add(file.path);
    const target = await resolveInside(fs, root, file.path);
    let before: string | undefined;
    try {
      before = (await fs.readFile(target, 'utf8')) as string;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let action: Action;
    if (before === undefined) action = 'create';
    else if (before === file.content || file.policy === 'skip-if-exists') action = 'unchanged';
    else if (file.policy === 'state' || recorded[file.path] === sha256(before)) action = 'update';
    else action = 'conflict';
    entries.push(before === undefined ? { path: file.path, action, file, target } : { path: file.path, action, file, before, target });
  }
  return entries;
}
