/**
 * The seccomp profile, `security/seccomp/<service>.json`, in the Docker/OCI profile format that
 * `docker run --security-opt seccomp=FILE`, compose, podman and (copied to the kubelet's seccomp
 * root) Kubernetes `Localhost` profiles load.
 *
 *   Config ─▶ selectGroups (level, server, egress) ─▶ per-arch split ─▶ rules ─▶ JSON
 *                                      deny-list subtracted ┘        arg-filtered rules ┘
 *
 * Built as an object and serialised; every allow rule carries a `comment` saying why it is there.
 * Names that exist on only one architecture go into a rule with `includes.arches`, which Docker and
 * podman evaluate against the host they run on, so no rule ever names a syscall the running
 * architecture lacks (runtimes silently ignore unknown names, which would hide mistakes).
 */
import type { Arch, Config } from '../config/schema.js';
import { ARCHES } from '../config/schema.js';
import {
  BASELINE_GROUPS,
  BASELINE_SOCKET_FAMILIES,
  CLONE_NAMESPACE_MASK,
  CONDITIONAL_SYSCALLS,
  DENIED_SYSCALLS,
  EGRESS_GROUP,
  ENOSYS,
  EPERM,
  GUNICORN_GROUP,
  MARGIN_GROUP,
  SAFE_PERSONALITIES,
  SCMP_ARCH,
  SECCOMP_ARCH_OF,
  STRICT_CORE_GROUPS,
  STRICT_SOCKET_FAMILIES,
  UVICORN_GROUP,
  archOnly,
  type SyscallGroup,
} from '../knowledge/syscalls.js';
import type { Renderer } from './types.js';

export { DENIED_SYSCALLS, SCMP_ARCH, SECCOMP_ARCH_OF } from '../knowledge/syscalls.js';

/** Moby's default profile allows this many syscalls unconditionally (for comparison). */
export const MOBY_DEFAULT_ALLOWED = 361;

export type SeccompLevel = 'strict' | 'baseline';

export type SeccompAction = 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
export type SeccompOp = 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ';

export interface SeccompArg {
  readonly index: number;
  /** For SCMP_CMP_MASKED_EQ: the mask. */
  readonly value: number;
  /** For SCMP_CMP_MASKED_EQ: what the masked argument must equal. */
  readonly valueTwo: number;
  readonly op: SeccompOp;
}

export interface SeccompRule {
  readonly names: readonly string[];
  readonly action: SeccompAction;
  readonly errnoRet?: number;
  readonly args?: readonly SeccompArg[];
  readonly includes?: { readonly arches: readonly Arch[] };
  readonly comment: string;
}

export interface SeccompProfile {
  readonly defaultAction: 'SCMP_ACT_ERRNO';
  readonly defaultErrnoRet: number;
  readonly archMap: readonly { readonly architecture: string; readonly subArchitectures: readonly string[] }[];
  readonly syscalls: readonly SeccompRule[];
}

/** The level a Config asks for, or null when seccomp is `none`. */
export function seccompLevel(c: Config): SeccompLevel | null {
  return c.seccomp === 'none' ? null : c.seccomp;
}

/** The allow groups for a level and the answers, in rendering order. */
export function selectGroups(c: Config, level: SeccompLevel): readonly SyscallGroup[] {
  const strict: SyscallGroup[] = [...STRICT_CORE_GROUPS];
  if (c.server === 'gunicorn' || c.server === 'gunicorn-uvicorn') strict.push(GUNICORN_GROUP);
  if (c.server === 'uvicorn' || c.server === 'gunicorn-uvicorn') strict.push(UVICORN_GROUP);
  if (c.egress !== 'none' || c.databaseUrl !== undefined) strict.push(EGRESS_GROUP);
  strict.push(MARGIN_GROUP);
  // baseline is a superset of strict: whatever the measured stack needs stays allowed.
  return level === 'strict' ? strict : [...BASELINE_GROUPS, ...strict];
}

/**
 * The arches a profile covers, in the schema's order (so the output does not depend on the order
 * the user listed them in).
 */
function targetArches(c: Config): Arch[] {
  return ARCHES.filter((a) => c.arches.includes(a));
}

/**
 * Unconditional allow rules: each name once (in the first group that needs it), never a
 * deny-listed or argument-filtered name, names sorted; a group's architecture-specific names go
 * into a second rule limited to that architecture.
 */
function allowRules(groups: readonly SyscallGroup[], arches: readonly Arch[]): SeccompRule[] {
  const excluded = new Set<string>([...DENIED_SYSCALLS, ...CONDITIONAL_SYSCALLS]);
  const seen = new Set<string>();
  const rules: SeccompRule[] = [];
  for (const group of groups) {
    const fresh = group.names.filter((n) => !excluded.has(n) && !seen.has(n));
    for (const n of fresh) seen.add(n);
    const common = fresh.filter((n) => archOnly(n) === null).sort();
    if (common.length) rules.push({ names: common, action: 'SCMP_ACT_ALLOW', comment: group.comment });
    for (const arch of arches) {
      const own = fresh.filter((n) => archOnly(n) === SECCOMP_ARCH_OF[arch]).sort();
      if (!own.length) continue;
      rules.push({
        names: own,
        action: 'SCMP_ACT_ALLOW',
        includes: { arches: [arch] },
        comment: `${group.comment} [${SECCOMP_ARCH_OF[arch]}-only names; other architectures use the calls listed in the rule above]`,
      });
    }
  }
  return rules;
}

/** clone without namespace flags; clone3 answers ENOSYS so glibc falls back to clone. */
function cloneRules(): SeccompRule[] {
  return [
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_MASK, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: 'threads and fork only: clone is allowed when no CLONE_NEW* namespace flag is set in its flags (arg 0)',
    },
    {
      names: ['clone3'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: ENOSYS,
      comment: 'clone3 passes its flags in memory a filter cannot inspect: answer ENOSYS so glibc falls back to the filtered clone (EPERM would break threads)',
    },
  ];
}

/** socket() only for the allowed address families, one rule per family (rules are OR-ed). */
function socketRules(level: SeccompLevel): SeccompRule[] {
  const families = level === 'strict' ? STRICT_SOCKET_FAMILIES : BASELINE_SOCKET_FAMILIES;
  const why =
    level === 'strict'
      ? 'socket limited to AF_UNIX, AF_INET and AF_INET6 (arg 0); netlink is not needed: glibc getaddrinfo assumes both IP versions when it cannot open one'
      : 'socket limited to AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (arg 0); other families are rarely used kernel attack surface';
  return families.map((family) => ({
    names: ['socket'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value: family, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    comment: `${why} [family ${family}]`,
  }));
}

/** personality() only with the values that cannot weaken the process (no ASLR switch-off). */
function personalityRules(): SeccompRule[] {
  return SAFE_PERSONALITIES.map((value) => ({
    names: ['personality'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    comment: `personality limited to PER_LINUX, PER_LINUX32, UNAME26 and the query value; never ADDR_NO_RANDOMIZE or READ_IMPLIES_EXEC [value ${value}]`,
  }));
}

/** The profile object for a Config at a level (normally `seccompLevel(c)`). */
export function buildSeccompProfile(c: Config, level: SeccompLevel): SeccompProfile {
  const arches = targetArches(c);
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    archMap: arches.map((a) => ({
      architecture: SCMP_ARCH[a].architecture,
      subArchitectures: [...SCMP_ARCH[a].subArchitectures],
    })),
    syscalls: [
      ...allowRules(selectGroups(c, level), arches),
      ...cloneRules(),
      ...socketRules(level),
      ...personalityRules(),
    ],
  };
}

/** Whether a rule takes effect on a host of the given architecture. */
export function ruleAppliesTo(rule: SeccompRule, arch: Arch): boolean {
  return rule.includes === undefined || rule.includes.arches.includes(arch);
}

/**
 * Every syscall name the profile allows (unconditionally or with an argument filter) on one
 * architecture, sorted. `clone3` is not counted: it is answered with ENOSYS, not allowed.
 */
export function allowedSyscallsOf(profile: SeccompProfile, arch: Arch): string[] {
  const names = new Set<string>();
  for (const rule of profile.syscalls) {
    if (rule.action === 'SCMP_ACT_ALLOW' && ruleAppliesTo(rule, arch)) for (const n of rule.names) names.add(n);
  }
  return [...names].sort();
}

/**
 * The final sorted allowlist for a Config on one architecture (the Config's level; `level`
 * overrides it). Throws for `seccomp: none`, which has no allowlist.
 */
export function allowedSyscalls(c: Config, arch: Arch, level: SeccompLevel | null = seccompLevel(c)): string[] {
  if (level === null) throw new Error(`seccomp is 'none' for ${c.name}: there is no allowlist`);
  return allowedSyscallsOf(buildSeccompProfile(c, level), arch);
}

/** 2-space JSON with a trailing newline. */
export function serializeSeccompProfile(profile: SeccompProfile): string {
  return `${JSON.stringify(profile, null, 2)}\n`;
}

export const renderSeccomp: Renderer = (c, f) => {
  const level = seccompLevel(c);
  if (level === null || f.seccompFile === null) return [];
  return [{ path: f.seccompFile, mode: 0o644, content: serializeSeccompProfile(buildSeccompProfile(c, level)) }];
};
