/**
 * Reading and deriving seccomp profiles (OCI / Docker JSON) for negative
 * controls and tightness runs. The generated profile itself is never edited;
 * derived copies are written next to the test's scratch files.
 */
import { run } from './proc.js';

export interface SeccompRule {
  names?: string[];
  name?: string;
  action: string;
  args?: unknown[];
  errnoRet?: number;
  [key: string]: unknown;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: unknown[];
  syscalls?: SeccompRule[];
  [key: string]: unknown;
}

function ruleNames(rule: SeccompRule): string[] {
  return [...(rule.names ?? []), ...(rule.name ? [rule.name] : [])];
}

/** Distinct syscall names an allow rule admits (with or without argument conditions). */
export function allowedSyscalls(p: SeccompProfile): string[] {
  const names = new Set<string>();
  for (const rule of p.syscalls ?? []) {
    if (rule.action === 'SCMP_ACT_ALLOW') for (const n of ruleNames(rule)) names.add(n);
  }
  return [...names].sort();
}

/** A copy with `remove` taken out of every allow rule (rules left empty are dropped). */
export function withoutSyscalls(p: SeccompProfile, remove: readonly string[]): SeccompProfile {
  const drop = new Set(remove);
  const copy = structuredClone(p);
  copy.syscalls = (copy.syscalls ?? [])
    .map((rule) => {
      if (rule.action !== 'SCMP_ACT_ALLOW') return rule;
      const names = ruleNames(rule).filter((n) => !drop.has(n));
      const { name: _name, ...rest } = rule;
      return { ...rest, names };
    })
    .filter((rule) => ruleNames(rule).length > 0);
  return copy;
}

/**
 * A profile that allows everything but asks the kernel to audit-log every
 * system call (`defaultAction: SCMP_ACT_LOG`, no allow rules). Rules with
 * other actions (an ENOSYS for clone3, say) are kept so the process takes the
 * same code paths as under the real profile.
 */
export function logEverything(p: SeccompProfile): SeccompProfile {
  const copy = structuredClone(p);
  copy.defaultAction = 'SCMP_ACT_LOG';
  delete copy.defaultErrnoRet;
  copy.syscalls = (copy.syscalls ?? []).filter((rule) => rule.action !== 'SCMP_ACT_ALLOW' && rule.action !== 'SCMP_ACT_LOG');
  return copy;
}

const resolved = new Map<string, string>();

/** x86_64 syscall number → name through libseccomp's own table (scmp_sys_resolver). */
export async function syscallName(nr: number): Promise<string> {
  const key = String(nr);
  const cached = resolved.get(key);
  if (cached) return cached;
  const r = await run('scmp_sys_resolver', ['-a', 'x86_64', key], { timeoutMs: 10_000 });
  const name = r.exitCode === 0 && r.stdout.trim() && r.stdout.trim() !== key ? r.stdout.trim() : `syscall-${nr}`;
  resolved.set(key, name);
  return name;
}

/** Names in `names` that libseccomp does not know for x86_64 (runtimes ignore them silently). */
export async function unknownNames(names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  await Promise.all(
    names.map(async (n) => {
      const r = await run('scmp_sys_resolver', ['-a', 'x86_64', n], { timeoutMs: 10_000 });
      if (r.exitCode !== 0 || r.stdout.trim() === '-1') out.push(n);
    }),
  );
  return out.sort();
}
