/**
 * The seccomp renderer over the whole answer space: Docker/OCI fields, the deny-list, the
 * argument filters, per-architecture correctness, the strict size target, determinism, and one
 * golden file per framework.
 */
import { describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { ARCHES, FRAMEWORKS, SERVERS, EGRESS, type Arch, type Config } from '../../src/config/schema.js';
import {
  allowedSyscalls,
  allowedSyscallsOf,
  buildSeccompProfile,
  renderSeccomp,
  ruleAppliesTo,
  selectGroups,
  MOBY_DEFAULT_ALLOWED,
  type SeccompProfile,
  type SeccompRule,
} from '../../src/render/seccomp.js';
import {
  AF_NETLINK,
  BASELINE_SOCKET_FAMILIES,
  CLONE_NAMESPACE_MASK,
  CONDITIONAL_SYSCALLS,
  DENIED_SYSCALLS,
  DENY_REASONS,
  SAFE_PERSONALITIES,
  SCMP_ARCH,
  SECCOMP_ARCH_OF,
  STRICT_CORE_GROUPS,
  STRICT_SOCKET_FAMILIES,
  X86_64_ONLY,
  BASELINE_GROUPS,
  GUNICORN_GROUP,
  UVICORN_GROUP,
  EGRESS_GROUP,
  MARGIN_GROUP,
  archOnly,
  existsOn,
} from '../../src/knowledge/syscalls.js';

const STRICT_TARGET = 130;
const LEVELS = ['strict', 'baseline'] as const;
const ARCH_SETS: Arch[][] = [['amd64'], ['arm64'], ['amd64', 'arm64'], ['arm64', 'amd64']];
const VOLUME_SETS: Config['volumes'][] = [
  [],
  [{ path: '/data', purpose: 'uploads' }],
  [{ path: '/srv/media', purpose: 'media' }, { path: '/var/lib/app', purpose: 'sqlite db' }],
];

function configFor(over: Partial<Config>): Config {
  const fw = over.framework ?? 'flask';
  const extra: Partial<Config> = fw === 'custom' ? { command: ['python', '-m', 'service'] } : {};
  return exampleConfig({ ...extra, ...over });
}

/** Every combination the unit tests sweep (4 × 3 × 2 × 3 × 4 × 2 = 576 configs). */
function* allConfigs(): Generator<Config> {
  for (const framework of FRAMEWORKS)
    for (const server of SERVERS)
      for (const egress of EGRESS)
        for (const volumes of VOLUME_SETS)
          for (const arches of ARCH_SETS)
            for (const seccomp of LEVELS) yield configFor({ framework, server, egress, volumes, arches, seccomp });
}

function label(c: Config): string {
  return `${c.framework}/${c.server}/${c.egress}/vol${c.volumes.length}/${c.arches.join('+')}/${c.seccomp}`;
}

/** The profile as a reader sees it: rendered, then parsed back. */
function rendered(c: Config): SeccompProfile {
  const files = renderSeccomp(c, deriveFacts(c));
  expect(files).toHaveLength(1);
  return JSON.parse(files[0]!.content) as SeccompProfile;
}

function rulesFor(p: SeccompProfile, name: string): SeccompRule[] {
  return p.syscalls.filter((r) => r.names.includes(name));
}

/** Deny-listed names an allow rule lets through. */
function* denyViolations(p: SeccompProfile): Generator<string> {
  const denied = new Set(DENIED_SYSCALLS);
  for (const rule of p.syscalls) {
    if (rule.action !== 'SCMP_ACT_ALLOW') continue;
    for (const n of rule.names) if (denied.has(n)) yield `allows ${n}`;
  }
}

/** Names listed for an architecture that lacks them, duplicates, unfiltered conditional names. */
function* archViolations(c: Config, p: SeccompProfile): Generator<string> {
  for (const arch of c.arches) {
    const unconditional = p.syscalls
      .filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args && ruleAppliesTo(r, arch))
      .flatMap((r) => r.names);
    if (new Set(unconditional).size !== unconditional.length) yield `duplicate names on ${arch}`;
    for (const n of unconditional) if (!existsOn(n, SECCOMP_ARCH_OF[arch])) yield `${n} does not exist on ${arch}`;
    for (const n of CONDITIONAL_SYSCALLS) if (unconditional.includes(n)) yield `${n} unconditionally allowed`;
  }
  for (const rule of p.syscalls) {
    const arch = rule.includes?.arches[0];
    for (const n of rule.names) {
      const only = archOnly(n);
      if (arch === undefined && only !== null) yield `${only}-only ${n} in a rule for every arch`;
      if (arch !== undefined && only !== SECCOMP_ARCH_OF[arch]) yield `${n} in the ${arch}-only rule`;
    }
  }
}

describe('seccomp profile over every framework × server × egress × volumes × arches × level', () => {
  const configs = [...allConfigs()];
  const profiles = new Map(configs.map((c) => [c, rendered(c)] as const));
  /** Runs `check` on every config and collects the problems it reports, so one failure names them all. */
  function problems(check: (c: Config, p: SeccompProfile) => Iterable<string>): string[] {
    const found: string[] = [];
    for (const [c, p] of profiles) for (const problem of check(c, p)) found.push(`${label(c)}: ${problem}`);
    return found;
  }

  it('sweeps all 576 combinations', () => {
    expect(configs).toHaveLength(FRAMEWORKS.length * SERVERS.length * EGRESS.length * VOLUME_SETS.length * ARCH_SETS.length * LEVELS.length);
    expect(new Set(configs.map(label)).size).toBe(configs.length);
  });

  it('is one 2-space JSON file at facts.seccompFile with a trailing newline', () => {
    expect(problems(function* (c) {
      const files = renderSeccomp(c, deriveFacts(c));
      if (files.length !== 1) yield `${files.length} files`;
      const [file] = files;
      if (file!.path !== `security/seccomp/${c.name}.json`) yield `path ${file!.path}`;
      if (file!.mode !== 0o644) yield `mode ${file!.mode}`;
      if (`${JSON.stringify(JSON.parse(file!.content), null, 2)}\n` !== file!.content) yield 'not 2-space JSON + newline';
    })).toEqual([]);
  });

  it('has the Docker/OCI fields: default EPERM, an archMap for exactly the chosen arches, commented rules', () => {
    expect(problems(function* (c, p) {
      if (Object.keys(p).join() !== 'defaultAction,defaultErrnoRet,archMap,syscalls') yield `keys ${Object.keys(p).join()}`;
      if (p.defaultAction !== 'SCMP_ACT_ERRNO') yield `defaultAction ${p.defaultAction}`;
      if (p.defaultErrnoRet !== 1) yield `defaultErrnoRet ${p.defaultErrnoRet}`;
      const expected = ARCHES.filter((a) => c.arches.includes(a)).map((a) => SCMP_ARCH[a]);
      if (JSON.stringify(p.archMap) !== JSON.stringify(expected)) yield `archMap ${JSON.stringify(p.archMap)}`;
      if (p.syscalls.length < 6) yield 'too few rules';
      for (const rule of p.syscalls) {
        if (!Array.isArray(rule.names) || rule.names.length === 0) yield 'rule without names';
        for (const n of rule.names) if (!/^_?[a-z][a-z0-9_]*$/.test(n)) yield `bad name ${n}`;
        if (rule.action !== 'SCMP_ACT_ALLOW' && rule.action !== 'SCMP_ACT_ERRNO') yield `action ${rule.action}`;
        if (rule.action === 'SCMP_ACT_ERRNO' && typeof rule.errnoRet !== 'number') yield 'ERRNO rule without errnoRet';
        if (typeof rule.comment !== 'string' || rule.comment.length < 20) yield `no comment on ${rule.names.join()}`;
        if (rule.includes) {
          if (Object.keys(rule.includes).join() !== 'arches') yield `includes ${JSON.stringify(rule.includes)}`;
          for (const a of rule.includes.arches) if (!c.arches.includes(a)) yield `includes unknown arch ${a}`;
        }
      }
    })).toEqual([]);
  });

  it('never allows a deny-listed syscall', () => {
    expect(problems((_c, p) => denyViolations(p))).toEqual([]);
  });

  it('answers clone3 with ENOSYS and allows clone only without namespace flags', () => {
    expect(problems(function* (_c, p) {
      const clone3 = rulesFor(p, 'clone3');
      const wantClone3 = [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }];
      if (JSON.stringify(clone3.map(({ names, action, errnoRet }) => ({ names, action, errnoRet }))) !== JSON.stringify(wantClone3)) {
        yield `clone3 rules ${JSON.stringify(clone3)}`;
      }
      const clone = rulesFor(p, 'clone');
      const wantClone = [{ names: ['clone'], args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }];
      if (JSON.stringify(clone.map(({ names, args }) => ({ names, args }))) !== JSON.stringify(wantClone)) {
        yield `clone rules ${JSON.stringify(clone)}`;
      }
    })).toEqual([]);
  });

  it('allows socket only for the level’s address families, and personality only for safe values', () => {
    expect(problems(function* (c, p) {
      const socket = rulesFor(p, 'socket');
      const families = socket.map((r) => r.args?.[0]?.value);
      const want = c.seccomp === 'strict' ? [1, 2, 10] : [1, 2, 10, 16];
      if (families.join() !== want.join()) yield `socket families ${families.join()}`;
      for (const r of socket) {
        if (r.names.length !== 1 || r.args?.length !== 1 || r.args[0]!.op !== 'SCMP_CMP_EQ' || r.args[0]!.index !== 0) {
          yield `socket rule ${JSON.stringify(r)}`;
        }
      }
      const personality = rulesFor(p, 'personality').map((r) => (r.args?.length === 1 && r.names.length === 1 ? r.args[0]!.value : NaN));
      if (personality.join() !== [0, 8, 0x20000, 0x20008, 0xffffffff].join()) yield `personality ${personality.join()}`;
    })).toEqual([]);
  });

  it('lists each name once per architecture and never a name the architecture lacks', () => {
    expect(problems(archViolations)).toEqual([]);
  });

  it('gives aarch64 the replacement of every x86_64-only name it allows on x86_64', () => {
    expect(problems(function* (c) {
      const level = c.seccomp === 'none' ? null : c.seccomp;
      const arm = new Set(allowedSyscalls(c, 'arm64', level));
      for (const n of allowedSyscalls(c, 'amd64', level)) {
        const replacement = X86_64_ONLY[n];
        if (replacement && !arm.has(replacement)) yield `${n} → ${replacement} missing on arm64`;
      }
    })).toEqual([]);
  });

  it(`keeps strict x86_64 at or below ${STRICT_TARGET} syscalls and baseline a strict superset`, () => {
    const counts: number[] = [];
    expect(problems(function* (c) {
      if (c.seccomp !== 'strict') return;
      for (const arch of ARCHES) {
        const strict = allowedSyscalls(c, arch, 'strict');
        const baseline = allowedSyscalls(c, arch, 'baseline');
        if (arch === 'amd64') {
          counts.push(strict.length);
          if (strict.length > STRICT_TARGET) yield `strict amd64 allows ${strict.length}`;
        }
        if (baseline.length <= strict.length) yield `baseline ${baseline.length} <= strict ${strict.length} on ${arch}`;
        if (baseline.length >= MOBY_DEFAULT_ALLOWED) yield `baseline ${baseline.length} not below Moby's ${MOBY_DEFAULT_ALLOWED}`;
        const missing = strict.filter((n) => !baseline.includes(n));
        if (missing.length) yield `baseline lacks ${missing.join()} on ${arch}`;
      }
    })).toEqual([]);
    expect(Math.max(...counts)).toBeGreaterThan(60); // sanity: not an empty profile
  });

  it('is deterministic: same answers give identical bytes, whatever order the arches were given in', () => {
    expect(problems(function* (c) {
      const again = configFor({ ...c, arches: [...c.arches].reverse() });
      const a = renderSeccomp(c, deriveFacts(c))[0]!.content;
      if (renderSeccomp(c, deriveFacts(c))[0]!.content !== a) yield 'differs between two renders';
      if (renderSeccomp(again, deriveFacts(again))[0]!.content !== a) yield 'depends on the arch order';
    })).toEqual([]);
  });

  it('the checks catch a broken profile (negative control)', () => {
    const c = configFor({ arches: ['amd64', 'arm64'] });
    const good = profiles.get(configs.find((x) => label(x) === label(c))!)!;
    const broken: SeccompProfile = {
      ...good,
      syscalls: [
        ...good.syscalls,
        { names: ['ptrace', 'open'], action: 'SCMP_ACT_ALLOW', comment: 'injected for the negative control' },
        { names: ['getpid'], action: 'SCMP_ACT_ALLOW', comment: 'injected duplicate for the negative control' },
      ],
    };
    expect([...denyViolations(good), ...archViolations(c, good)]).toEqual([]);
    expect([...denyViolations(broken)]).toEqual(['allows ptrace']);
    expect([...archViolations(c, broken)]).toEqual([
      'duplicate names on amd64',
      'duplicate names on arm64',
      'open does not exist on arm64',
      'x86_64-only open in a rule for every arch',
    ]);
  });
});

describe('what the answers change', () => {
  const base: Partial<Config> = { framework: 'flask', server: 'gunicorn', egress: 'none', arches: ['amd64'] };

  it('egress adds the DNS call (sendmmsg) that inbound-only profiles lack', () => {
    expect(allowedSyscalls(configFor(base), 'amd64')).not.toContain('sendmmsg');
    expect(allowedSyscalls(configFor({ ...base, egress: 'dns-tcp' }), 'amd64')).toContain('sendmmsg');
    // a database URL implies egress
    expect(allowedSyscalls(configFor({ ...base, databaseUrl: 'postgres://db:5432/app' }), 'amd64')).toContain('sendmmsg');
  });

  it('uvicorn adds eventfd2 and gunicorn adds setuid; gunicorn-uvicorn has both', () => {
    const g = allowedSyscalls(configFor(base), 'amd64');
    const u = allowedSyscalls(configFor({ ...base, server: 'uvicorn' }), 'amd64');
    const gu = allowedSyscalls(configFor({ ...base, server: 'gunicorn-uvicorn' }), 'amd64');
    expect(g).toContain('setuid');
    expect(g).not.toContain('eventfd2');
    expect(u).toContain('eventfd2');
    expect(u).not.toContain('setuid');
    expect(gu).toEqual(expect.arrayContaining(['setuid', 'eventfd2']));
  });

  it('selects groups by level, server and egress', () => {
    const ids = (c: Config, l: 'strict' | 'baseline') => selectGroups(c, l).map((g) => g.id);
    expect(ids(configFor(base), 'strict')).toEqual([...STRICT_CORE_GROUPS.map((g) => g.id), 'gunicorn', 'margin']);
    expect(ids(configFor({ ...base, server: 'gunicorn-uvicorn', egress: 'dns-tcp' }), 'strict')).toEqual([
      ...STRICT_CORE_GROUPS.map((g) => g.id), 'gunicorn', 'uvicorn', 'egress', 'margin',
    ]);
    expect(ids(configFor(base), 'baseline').slice(0, BASELINE_GROUPS.length)).toEqual(BASELINE_GROUPS.map((g) => g.id));
  });

  it('renders nothing for seccomp none, and has no allowlist to ask for', () => {
    const c = configFor({ seccomp: 'none' });
    expect(renderSeccomp(c, deriveFacts(c))).toEqual([]);
    expect(() => allowedSyscalls(c, 'amd64')).toThrow(/none/);
  });

  it('limits x86_64-only names to amd64 hosts with includes.arches', () => {
    const p = buildSeccompProfile(configFor({ arches: ['amd64', 'arm64'] }), 'strict');
    const limited = p.syscalls.filter((r) => r.includes);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.includes!.arches.length === 1 && r.includes!.arches[0] === 'amd64')).toBe(true);
    const amdOnly = limited.flatMap((r) => r.names);
    expect(amdOnly).toEqual(expect.arrayContaining(['arch_prctl', 'access', 'poll', 'epoll_wait', 'unlink', 'readlink', 'vfork']));
    expect(allowedSyscallsOf(p, 'arm64')).not.toContain('arch_prctl');
    expect(allowedSyscallsOf(p, 'arm64')).toEqual(expect.arrayContaining(['faccessat', 'ppoll', 'epoll_pwait', 'unlinkat', 'readlinkat']));
    // an arm64-only profile has no amd64 rules at all
    const arm = buildSeccompProfile(configFor({ arches: ['arm64'] }), 'strict');
    expect(arm.syscalls.some((r) => r.includes)).toBe(false);
    expect(arm.syscalls.flatMap((r) => r.names)).not.toContain('arch_prctl');
  });
});

describe('syscall knowledge data', () => {
  const strictGroups = [...STRICT_CORE_GROUPS, GUNICORN_GROUP, UVICORN_GROUP, EGRESS_GROUP, MARGIN_GROUP];

  it('keeps the deny-list out of every strict group and every reason filled in', () => {
    for (const g of strictGroups) for (const n of g.names) expect(DENIED_SYSCALLS, `${g.id}: ${n}`).not.toContain(n);
    for (const n of DENIED_SYSCALLS) expect(DENY_REASONS[n]!.length).toBeGreaterThan(10);
    expect(DENIED_SYSCALLS).toEqual(expect.arrayContaining([
      'mount', 'umount2', 'fsopen', 'fsmount', 'move_mount', 'open_tree', 'unshare', 'setns', 'ptrace',
      'process_vm_readv', 'process_vm_writev', 'bpf', 'perf_event_open', 'keyctl', 'add_key', 'request_key',
      'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'userfaultfd',
      'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'pivot_root', 'swapon', 'swapoff', 'reboot',
      'open_by_handle_at', 'name_to_handle_at', 'acct', 'quotactl', 'settimeofday', 'clock_settime',
      'adjtimex', 'chroot', 'iopl', 'ioperm', 'lookup_dcookie', 'nfsservctl', 'vhangup', 'syslog',
    ]));
  });

  it('keeps argument-filtered names out of the unconditional groups', () => {
    for (const g of [...strictGroups, ...BASELINE_GROUPS]) {
      for (const n of CONDITIONAL_SYSCALLS) expect(g.names, g.id).not.toContain(n);
      expect(new Set(g.names).size, `${g.id} has a duplicate`).toBe(g.names.length);
      expect(g.comment.length).toBeGreaterThan(20);
    }
  });

  it('pairs every x86_64-only name in a group with its replacement (or the filtered clone)', () => {
    for (const g of [...strictGroups, ...BASELINE_GROUPS]) {
      for (const n of g.names) {
        const replacement = X86_64_ONLY[n];
        if (!replacement) continue;
        if (replacement === 'clone') continue; // allowed by the argument-filtered clone rule
        expect(g.names, `${g.id}: ${n} needs ${replacement}`).toContain(replacement);
      }
    }
    for (const r of Object.values(X86_64_ONLY)) if (r) expect(archOnly(r)).toBeNull();
  });

  it('has the constants the kernel and Moby use', () => {
    // CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
    expect(CLONE_NAMESPACE_MASK).toBe(0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000);
    expect(STRICT_SOCKET_FAMILIES).not.toContain(AF_NETLINK);
    expect(BASELINE_SOCKET_FAMILIES).toContain(AF_NETLINK);
    expect(SAFE_PERSONALITIES).toContain(0xffffffff);
    expect(SCMP_ARCH.amd64).toEqual({ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
    expect(SCMP_ARCH.arm64).toEqual({ architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] });
    expect(existsOn('open', 'aarch64')).toBe(false);
    expect(existsOn('openat', 'aarch64')).toBe(true);
  });
});

describe('golden profiles (one per framework)', () => {
  const GOLDEN: Record<string, Partial<Config>> = {
    django: { name: 'dj', framework: 'django', server: 'gunicorn', egress: 'none', volumes: [{ path: '/data', purpose: 'uploads' }] },
    flask: { name: 'fl', framework: 'flask', server: 'gunicorn', egress: 'dns-tcp' },
    fastapi: { name: 'fa', framework: 'fastapi', server: 'uvicorn', egress: 'none' },
    custom: { name: 'cu', framework: 'custom', server: 'gunicorn-uvicorn', egress: 'dns-tcp', seccomp: 'baseline' },
  };
  for (const [fw, over] of Object.entries(GOLDEN)) {
    it(fw, async () => {
      const c = configFor(over);
      await expect(renderSeccomp(c, deriveFacts(c))[0]!.content).toMatchFileSnapshot(`__snapshots__/seccomp-${fw}.json`);
    });
  }
});
