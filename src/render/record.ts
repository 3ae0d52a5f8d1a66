/**
 * `.pyconfine.json`: the recorded answers (so a re-run with no flags gives the
 * same output) and the hash of every managed file as written, so the writer
 * can tell "pyconfine's previous output" from "a file the user changed".
 */
import { sha256 } from '../plan/plan.js';
import type { Config } from '../config/schema.js';
import type { RenderedFile } from './types.js';

export const RECORD_PATH = '.pyconfine.json';
export const RECORD_VERSION = 1;

export interface Record_ {
  readonly pyconfine: number;
  readonly config: Config;
  readonly files: Readonly<Record<string, string>>;
}

export function renderRecord(config: Config, files: readonly RenderedFile[]): RenderedFile {
  const hashes: Record<string, string> = {};
  for (const f of files) if ((f.policy ?? 'managed') === 'managed') hashes[f.path] = sha256(f.content);
  const record: Record_ = { pyconfine: RECORD_VERSION, config, files: hashes };
  return { path: RECORD_PATH, mode: 0o644, policy: 'state', content: JSON.stringify(record, null, 2) + '\n' };
}
