/** Thin, bounded podman wrappers for the system tier. */
import { describeResult, must, run, sleep, type ProcOptions, type ProcResult } from './proc.js';

export function podman(args: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  return run('podman', args, { timeoutMs: 120_000, ...opts });
}

export async function mustPodman(args: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  return must('podman', args, { timeoutMs: 120_000, ...opts });
}

export interface ContainerState {
  readonly running: boolean;
  readonly status: string;
  readonly exitCode: number;
  readonly oomKilled: boolean;
}

export async function state(name: string): Promise<ContainerState | null> {
  const r = await podman(['inspect', '--type', 'container', '--format', '{{json .State}}', name], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) return null;
  const s = JSON.parse(r.stdout) as { Running: boolean; Status: string; ExitCode: number; OOMKilled: boolean };
  return { running: s.Running, status: s.Status, exitCode: s.ExitCode, oomKilled: s.OOMKilled };
}

export async function logs(name: string, tail = 60): Promise<string> {
  const r = await podman(['logs', '--tail', String(tail), name], { timeoutMs: 30_000 });
  const text = [r.stdout, r.stderr].filter(Boolean).join('\n');
  return text || '(no container output)';
}

/** Remove containers (and their anonymous volumes), ignoring ones that do not exist. */
export async function removeContainers(...names: string[]): Promise<void> {
  if (names.length) await podman(['rm', '--force', '--volumes', '--time', '2', ...names], { timeoutMs: 60_000 });
}

export async function removeVolumes(...names: string[]): Promise<void> {
  for (const n of names) await podman(['volume', 'rm', '--force', n], { timeoutMs: 30_000 });
}

export async function removeImages(...names: string[]): Promise<void> {
  if (names.length) await podman(['rmi', '--force', '--ignore', ...names], { timeoutMs: 60_000 });
}

/** `podman exec NAME argv…` (bounded). */
export function exec(name: string, argv: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const interactive = opts.input !== undefined || opts.inputFile !== undefined;
  return podman(['exec', ...(interactive ? ['-i'] : []), name, ...argv], { timeoutMs: 60_000, ...opts });
}

/** Wait until `podman inspect` says the container stopped; bounded. */
export async function waitExited(name: string, timeoutMs: number): Promise<ContainerState | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state(name);
    if (!s || !s.running || Date.now() > deadline) return s;
    await sleep(300);
  }
}

export async function containerStory(name: string): Promise<string> {
  const s = await state(name);
  return `container ${name}: ${s ? `${s.status}, exit ${s.exitCode}${s.oomKilled ? ', OOM-killed' : ''}` : 'gone'}\n--- logs ---\n${await logs(name)}`;
}

export { describeResult };
