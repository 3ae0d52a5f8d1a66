/**
 * Path safety for everything the writer touches: a planned path must be a
 * plain relative path, and its real location (following any symlinks that
 * already exist) must stay inside the target directory.
 */
import path from 'node:path';
import { UserError } from '../errors.js';

/** The subset of `fs.promises` the planner and writer use (memfs provides it in tests). */
export interface PlanFs {
  readFile(p: string, enc: 'utf8'): Promise<string | Buffer>;
  writeFile(p: string, data: string, opts: { mode: number; flag?: string }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(p: string, opts: { recursive: true }): Promise<unknown>;
  lstat(p: string): Promise<{ isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean; mode: number }>;
  stat(p: string): Promise<{ isDirectory(): boolean; mode: number }>;
  realpath(p: string): Promise<string | Buffer>;
  chmod(p: string, mode: number): Promise<void>;
  unlink(p: string): Promise<void>;
  access(p: string, mode?: number): Promise<void>;
}

function refuse(rel: string, why: string): never {
  throw new UserError(`refusing to write ${JSON.stringify(rel)}: ${why}`, 'only paths inside the target directory are written');
}

export async function resolveInside(fs: PlanFs, root: string, rel: string): Promise<string> {
  if (rel === '' || path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel) || rel.includes('\\') || rel.includes('\0')) {
    refuse(rel, 'not a relative path');
  }
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) refuse(rel, 'the path has empty, "." or ".." segments');
  let realRoot: string;
  try {
    realRoot = String(await fs.realpath(root));
  } catch (err) {
    // A target folder that does not exist yet (a dry run) holds nothing to escape through.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path.join(root, ...parts);
    throw err;
  }
  // Walk down from the root: every component that exists must be a real
  // directory (or, for the last one, a regular file) inside the root.
  let current = realRoot;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(current, parts[i]!);
    let st;
    try {
      st = await fs.lstat(next);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path.join(next, ...parts.slice(i + 1));
      throw err;
    }
    if (st.isSymbolicLink()) {
      const real = String(await fs.realpath(next).catch(() => next));
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) refuse(rel, `${parts.slice(0, i + 1).join('/')} is a symlink leading out of the target directory`);
      refuse(rel, `${parts.slice(0, i + 1).join('/')} is a symlink; pyconfine does not write through links`);
    }
    const last = i === parts.length - 1;
    if (!last && !st.isDirectory()) refuse(rel, `${parts.slice(0, i + 1).join('/')} is not a directory`);
    if (last && !st.isFile()) refuse(rel, 'it exists and is not a regular file');
    current = next;
  }
  return current;
}
