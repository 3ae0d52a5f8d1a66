/**
 * A renderer is a pure function from the validated Config (and the facts
 * derived from it) to files. No disk, no clock, no randomness: the same Config
 * gives byte-identical output.
 */
import type { Config } from '../config/schema.js';
import type { Facts } from '../config/facts.js';

export interface RenderedFile {
  /** Repo-relative POSIX path. */
  readonly path: string;
  readonly content: string;
  /** File mode, e.g. 0o644 or 0o755 for scripts. */
  readonly mode: number;
  /**
   * `skip-if-exists`: scaffolding (the minimal app) that is only ever created,
   * never updated or reported as a conflict.
   */
  readonly policy?: 'managed' | 'skip-if-exists';
}

export type Renderer = (config: Config, facts: Facts) => RenderedFile[];
