/**
 * The hardening flags for `docker run` / `podman run`, built in one place so the
 * README, the CI workflow and the system tests all run the container the same way.
 */
import type { Config } from '../config/schema.js';
import { type Facts, STOP_TIMEOUT, TMPFS_OPTIONS } from '../config/facts.js';

export interface RunFlagOptions {
  /** Path to the seccomp profile as the command will see it (default: the repo-relative file). */
  readonly seccompPath?: string;
  /** Include `--security-opt apparmor=…` (needs the profile loaded on the host). */
  readonly apparmor?: boolean;
  /** Host ports to publish, default all of `config.publish`, bound to 127.0.0.1. */
  readonly publish?: boolean;
}

/** Flags in a stable order; each element is one argv word (no shell quoting applied). */
export function hardeningFlags(c: Config, f: Facts, opts: RunFlagOptions = {}): string[] {
  const flags: string[] = [
    '--init',
    '--user', `${c.uid}:${c.gid}`,
    '--read-only',
  ];
  for (const dir of f.tmpDirs) flags.push('--tmpfs', `${dir}:${TMPFS_OPTIONS}`);
  for (const vol of f.volumeNames) flags.push('--volume', `${vol.name}:${vol.path}`);
  flags.push('--cap-drop=ALL');
  for (const cap of f.capAdd) flags.push(`--cap-add=${cap}`);
  flags.push('--security-opt', 'no-new-privileges=true');
  if (f.seccompFile) flags.push('--security-opt', `seccomp=${opts.seccompPath ?? f.seccompFile}`);
  if (f.apparmorFile && opts.apparmor !== false) flags.push('--security-opt', `apparmor=${f.apparmorProfile}`);
  flags.push('--pids-limit', '256', '--memory', '512m');
  flags.push('--stop-timeout', String(STOP_TIMEOUT));
  if (opts.publish !== false) for (const p of c.publish) flags.push('--publish', `127.0.0.1:${p}:${c.port}`);
  return flags;
}

/** The full documented `docker run` argv for the service (detached, removed on stop). */
export function dockerRunArgv(c: Config, f: Facts, opts: RunFlagOptions = {}): string[] {
  return ['docker', 'run', '--rm', '--detach', '--name', c.name, ...hardeningFlags(c, f, opts), f.image];
}

/**
 * Format argv as a copy-pasteable multi-line shell command: one flag (with
 * its value) per line, joined with ` \`.
 */
export function formatCommand(argv: readonly string[], quote: (w: string) => string): string {
  const lines: string[] = [];
  let i = 0;
  // The command words before the first flag stay on the first line.
  let head = '';
  while (i < argv.length && !argv[i]!.startsWith('-')) head += (head ? ' ' : '') + quote(argv[i++]!);
  lines.push(head);
  while (i < argv.length) {
    const word = argv[i++]!;
    if (!word.startsWith('-')) {
      // The image and the command after it stay together on the last line.
      lines.push([word, ...argv.slice(i)].map(quote).join(' '));
      break;
    }
    const next = argv[i];
    const takesValue = word.startsWith('-') && !word.includes('=') && next !== undefined && !next.startsWith('-') && i < argv.length - 1;
    if (takesValue && FLAGS_WITH_VALUE.has(word)) {
      lines.push(`${quote(word)} ${quote(next!)}`);
      i++;
    } else {
      lines.push(quote(word));
    }
  }
  return lines.join(' \\\n  ');
}

const FLAGS_WITH_VALUE = new Set([
  '--name', '--user', '--tmpfs', '--volume', '--security-opt', '--pids-limit', '--memory', '--stop-timeout', '--publish', '-t', '--tag', '-f', '--file',
]);
