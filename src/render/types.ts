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
   * `managed` (default): updated only when unchanged since pyconfine wrote it.
   * `skip-if-exists`: scaffolding (the minimal app), only ever created.
   * `state`: pyconfine's own record, always brought up to date.
   */
  readonly policy?: 'managed' | 'skip-if-exists' | 'state';
}

export type Renderer = (config: Config, facts: Facts) => RenderedFile[];
