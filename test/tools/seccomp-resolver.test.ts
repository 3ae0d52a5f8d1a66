/**
 * Every syscall name pyconfine writes into a seccomp profile, and every name in its knowledge
 * tables, checked against libseccomp's own tables with the real `scmp_sys_resolver` (package
 * `seccomp`, installed by scripts/install-tools.sh):
 *   scmp_sys_resolver -a x86_64|aarch64 NAME
 * prints the syscall number, -1 for a name libseccomp does not know at all, and another negative
 * pseudo-number (e.g. -10166 for `open` on aarch64) for a name it knows but that architecture
 * lacks. Runtimes silently skip names that do not resolve, so a typo or a wrong-architecture name
 * would quietly weaken or break a profile; here any negative answer is a failure.
 *
 * Negative controls prove the check can fail: a profile with an injected bogus name, and one with
 * an x86_64-only name in a rule that also applies to arm64, must both be reported.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { ARCHES, EGRESS, FRAMEWORKS, SERVERS, type Arch, type Config } from '../../src/config/schema.js';
import { renderSeccomp, ruleAppliesTo, type SeccompProfile } from '../../src/render/seccomp.js';
import {
  BASELINE_GROUPS,
  CONDITIONAL_SYSCALLS,
  DENIED_SYSCALLS,
  EGRESS_GROUP,
  GUNICORN_GROUP,
  MARGIN_GROUP,
  SECCOMP_ARCHES,
  SECCOMP_ARCH_OF,
  STRICT_CORE_GROUPS,
  UVICORN_GROUP,
  X86_64_ONLY,
  AARCH64_ONLY,
  existsOn,
  type SeccompArch,
} from '../../src/knowledge/syscalls.js';

const RESOLVER = 'scmp_sys_resolver';

function resolverAvailable(): boolean {
  try {
    execFileSync(RESOLVER, ['-a', 'x86_64', 'read'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const available = resolverAvailable();
// In CI a missing tool is a failure, not a skip.
const skip = !available && !process.env.CI;

const cache = new Map<string, number>();
/** The syscall number libseccomp gives NAME on ARCH (negative: not a syscall there). */
function resolve(arch: SeccompArch, name: string): number {
  const key = `${arch}:${name}`;
  let n = cache.get(key);
  if (n === undefined) {
    const out = execFileSync(RESOLVER, ['-a', arch, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    n = Number.parseInt(out, 10);
    if (!Number.isInteger(n)) throw new Error(`${RESOLVER} -a ${arch} ${name} printed ${JSON.stringify(out)}`);
    cache.set(key, n);
  }
  return n;
}

/**
 * Every syscall name of an architecture, by asking the resolver for each number (it prints the
 * name, or UNKNOWN). Numbers above 499 are unused on both architectures in libseccomp 2.5.
 */
async function syscallTable(arch: SeccompArch): Promise<Set<string>> {
  const run = promisify(execFile);
  const names = new Set<string>();
  const numbers = [...Array(500).keys()];
  for (let i = 0; i < numbers.length; i += 25) {
    const batch = numbers.slice(i, i + 25).map((n) => run(RESOLVER, ['-a', arch, String(n)], { encoding: 'utf8' }));
    for (const { stdout } of await Promise.all(batch)) {
      const name = stdout.trim();
      if (name && name !== 'UNKNOWN') names.add(name);
    }
  }
  return names;
}

function resolves(arch: SeccompArch, name: string): boolean {
  return resolve(arch, name) >= 0;
}

/** Names in the profile that do not resolve on an architecture a rule applies to. */
function unresolvedNames(profile: SeccompProfile, arches: readonly Arch[]): string[] {
  const bad: string[] = [];
  for (const arch of arches) {
    for (const rule of profile.syscalls) {
      if (!ruleAppliesTo(rule, arch)) continue;
      for (const n of rule.names) if (!resolves(SECCOMP_ARCH_OF[arch], n)) bad.push(`${n}@${SECCOMP_ARCH_OF[arch]}`);
    }
  }
  return bad;
}

function configFor(over: Partial<Config>): Config {
  return exampleConfig({ ...(over.framework === 'custom' ? { command: ['python', '-m', 'svc'] } : {}), ...over });
}

function rendered(c: Config): SeccompProfile {
  return JSON.parse(renderSeccomp(c, deriveFacts(c))[0]!.content) as SeccompProfile;
}

/** frameworks × servers × egress × volumes × arch sets × levels. */
function matrix(): Config[] {
  const out: Config[] = [];
  for (const framework of FRAMEWORKS)
    for (const server of SERVERS)
      for (const egress of EGRESS)
        for (const volumes of [[], [{ path: '/data', purpose: 'uploads' }]])
          for (const arches of [['amd64'], ['arm64'], ['amd64', 'arm64']] as Arch[][])
            for (const seccomp of ['strict', 'baseline'] as const) out.push(configFor({ framework, server, egress, volumes, arches, seccomp }));
  return out;
}

/** Every name the knowledge tables mention. */
function knowledgeNames(): string[] {
  const groups = [...STRICT_CORE_GROUPS, GUNICORN_GROUP, UVICORN_GROUP, EGRESS_GROUP, MARGIN_GROUP, ...BASELINE_GROUPS];
  const names = new Set<string>([...groups.flatMap((g) => g.names), ...DENIED_SYSCALLS, ...CONDITIONAL_SYSCALLS]);
  for (const table of [X86_64_ONLY, AARCH64_ONLY]) {
    for (const [name, replacement] of Object.entries(table)) {
      names.add(name);
      if (replacement) names.add(replacement);
    }
  }
  return [...names].sort();
}

describe.skipIf(skip)('seccomp names against libseccomp (scmp_sys_resolver)', () => {
  it('the resolver is installed (scripts/install-tools.sh)', () => {
    expect(available).toBe(true);
    expect(resolve('x86_64', 'openat')).toBe(257);
    expect(resolve('aarch64', 'openat')).toBe(56);
    expect(resolve('x86_64', 'no_such_syscall')).toBe(-1);
    expect(resolve('aarch64', 'open')).toBeLessThan(0);
  });

  it('proves the per-architecture tables: each name exists exactly where the tables say', () => {
    const wrong: string[] = [];
    for (const name of knowledgeNames()) {
      for (const arch of SECCOMP_ARCHES) {
        if (resolves(arch, name) !== existsOn(name, arch)) {
          wrong.push(`${name} on ${arch}: resolver ${resolve(arch, name)}, tables say ${existsOn(name, arch) ? 'exists' : 'absent'}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('x86_64-only names resolve on x86_64 only, and their replacements on both', () => {
    const wrong: string[] = [];
    for (const [name, replacement] of Object.entries(X86_64_ONLY)) {
      if (!resolves('x86_64', name)) wrong.push(`${name} missing on x86_64`);
      if (resolves('aarch64', name)) wrong.push(`${name} exists on aarch64`);
      if (replacement && !(resolves('x86_64', replacement) && resolves('aarch64', replacement))) wrong.push(`replacement ${replacement}`);
    }
    for (const name of Object.keys(AARCH64_ONLY)) {
      if (!resolves('aarch64', name) || resolves('x86_64', name)) wrong.push(`${name} is not aarch64-only`);
    }
    expect(wrong).toEqual([]);
    expect(Object.keys(X86_64_ONLY)).toEqual(expect.arrayContaining([
      'open', 'stat', 'lstat', 'access', 'poll', 'select', 'epoll_wait', 'epoll_create', 'mkdir', 'rmdir', 'unlink',
      'rename', 'readlink', 'chmod', 'chown', 'dup2', 'pipe', 'fork', 'vfork', 'arch_prctl', 'getdents', 'eventfd',
      'signalfd', 'inotify_init', 'time', 'creat', 'link', 'symlink', 'alarm', 'pause', 'utime', 'utimes', 'futimesat',
    ]));
  });

  it('the x86_64-only table is the complete difference between the two architectures', async () => {
    const [x86, arm] = await Promise.all([syscallTable('x86_64'), syscallTable('aarch64')]);
    expect(x86.size).toBeGreaterThan(300);
    expect(arm.size).toBeGreaterThan(250);
    expect([...x86].filter((n) => !arm.has(n)).sort()).toEqual(Object.keys(X86_64_ONLY).sort());
    expect([...arm].filter((n) => !x86.has(n)).sort()).toEqual(Object.keys(AARCH64_ONLY).sort());
  });

  it('every deny-listed name is a real syscall on x86_64 or aarch64', () => {
    expect(DENIED_SYSCALLS.filter((n) => !resolves('x86_64', n) && !resolves('aarch64', n))).toEqual([]);
  });

  it('every name in every rendered profile resolves on each architecture its rule applies to', () => {
    const bad = new Set<string>();
    for (const c of matrix()) for (const n of unresolvedNames(rendered(c), c.arches)) bad.add(`${c.framework}/${c.server}/${c.seccomp}: ${n}`);
    expect([...bad]).toEqual([]);
  });

  it('catches an injected bogus name and a wrong-architecture name (negative controls)', () => {
    const c = configFor({ arches: [...ARCHES] });
    const good = rendered(c);
    expect(unresolvedNames(good, c.arches)).toEqual([]);
    const bogus: SeccompProfile = {
      ...good,
      syscalls: [...good.syscalls, { names: ['bogus_syscall'], action: 'SCMP_ACT_ALLOW', comment: 'negative control' }],
    };
    expect(unresolvedNames(bogus, c.arches)).toEqual(['bogus_syscall@x86_64', 'bogus_syscall@aarch64']);
    const wrongArch: SeccompProfile = {
      ...good,
      syscalls: [...good.syscalls, { names: ['open', 'openat'], action: 'SCMP_ACT_ALLOW', comment: 'negative control' }],
    };
    expect(unresolvedNames(wrongArch, c.arches)).toEqual(['open@aarch64']);
    // The same name limited to amd64 hosts is fine.
    const limited: SeccompProfile = {
      ...good,
      syscalls: [...good.syscalls, { names: ['open'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] }, comment: 'limited' }],
    };
    expect(unresolvedNames(limited, c.arches)).toEqual([]);
  });
});
