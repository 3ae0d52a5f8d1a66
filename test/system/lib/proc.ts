/**
 * Child processes for the system tier: every call is bounded by a timeout and
 * never throws on a non-zero exit, so a test can assert on (and print) what
 * happened instead of dying on the first surprise.
 */
import { execa } from 'execa';

export interface ProcResult {
  readonly command: string;
  /** Exit code; -1 when the process was killed or could not start. */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

export interface ProcOptions {
  readonly cwd?: string;
  /** Hard bound; the process is killed (SIGKILL after SIGTERM) when it passes. */
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly inputFile?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export async function run(file: string, args: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const started = performance.now();
  const r = await execa(file, [...args], {
    reject: false,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 120_000,
    forceKillAfterDelay: 2_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.inputFile !== undefined ? { inputFile: opts.inputFile } : {}),
    ...(opts.env ? { env: { ...opts.env } } : {}),
    stripFinalNewline: true,
  });
  return {
    command: [file, ...args].join(' '),
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
    durationMs: Math.round(performance.now() - started),
  };
}

/** A result's full story, for assertion messages. */
export function describeResult(r: ProcResult, maxChars = 4_000): string {
  const clip = (s: string): string => (s.length > maxChars ? `…${s.slice(-maxChars)}` : s);
  return [
    `$ ${r.command}`,
    `exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''} after ${r.durationMs} ms`,
    r.stdout ? `stdout:\n${clip(r.stdout)}` : 'stdout: (empty)',
    r.stderr ? `stderr:\n${clip(r.stderr)}` : 'stderr: (empty)',
  ].join('\n');
}

/** Run and throw (with the whole story) unless the exit code is 0. */
export async function must(file: string, args: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const r = await run(file, args, opts);
  if (r.exitCode !== 0) throw new Error(`command failed\n${describeResult(r)}`);
  return r;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
