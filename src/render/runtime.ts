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
