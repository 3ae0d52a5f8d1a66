/**
 * Security Profiles Operator (SPO) resources that distribute the generated
 * profiles to every node, for `k8s.operator: true`.
 *
 * Targets SPO v0.9 and later (including v1.0), where both profile kinds are
 * cluster-scoped (https://github.com/kubernetes-sigs/security-profiles-operator,
 * `installation-usage.md`):
 * - `SeccompProfile` (`security-profiles-operator.x-k8s.io/v1beta1`): spec fields
 *   `defaultAction`, `architectures`, `syscalls[].{names,action,errnoRet,args}`,
 *   `flags`. SPO writes it to `<kubelet seccomp root>/operator/<name>.json`, so a
 *   pod refers to it as `localhostProfile: operator/<name>.json`.
 * - `AppArmorProfile` (`security-profiles-operator.x-k8s.io/v1alpha1`): SPO
 *   generates the profile text itself from `spec.abstract` allow-lists
 *   (executables, libraries, read-only / read-write paths, network protocols,
 *   capabilities) and loads it under the resource's name; a raw-policy field no
 *   longer exists. A container refers to it by that name.
 */
import type { Config } from '../../config/schema.js';
import type { Facts } from '../../config/facts.js';
import { apparmorExtraExec, apparmorWritable } from '../apparmor.js';
import { commonLabels, operatorProfileName, type K8sObject } from './objects.js';

export const SPO_GROUP = 'security-profiles-operator.x-k8s.io';
export const SPO_SECCOMP_API = `${SPO_GROUP}/v1beta1`;
export const SPO_APPARMOR_API = `${SPO_GROUP}/v1alpha1`;

/** Actions, architectures and flags the SeccompProfile CRD accepts (its enums). */
const SPO_ACTIONS = new Set([
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
]);
const SPO_ARCHES = new Set([
  'SCMP_ARCH_NATIVE', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
]);
const SPO_FLAGS = new Set([
  'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
]);
const SPO_OPS = new Set([
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
]);

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function fail(message: string): never {
  throw new Error(`cannot convert the seccomp profile for the Security Profiles Operator: ${message}`);
}

/**
 * Convert an OCI / Docker seccomp profile (the JSON pyconfine writes to
 * `security/seccomp/<name>.json`) into a SeccompProfile `spec`.
 *
 * Conditional rules (`includes` / `excludes`) are resolved for this Config:
 * a rule that needs a capability the container does not get is dropped; arch
 * conditions are kept unconditionally (a name unknown on an arch is ignored
 * by the runtime). `defaultErrnoRet` and `comment` have no CRD field and are
 * left out; SPO's `SCMP_ACT_ERRNO` returns EPERM.
 */
export function seccompSpecFromProfile(profile: unknown, capAdd: readonly string[] = []): Obj {
  const p = asObj(profile) ?? fail('not a JSON object');
  const defaultAction = p.defaultAction;
  if (typeof defaultAction !== 'string' || !SPO_ACTIONS.has(defaultAction)) fail(`unsupported defaultAction ${JSON.stringify(defaultAction)}`);

  const arches: string[] = [];
  const addArch = (a: string): void => {
    if (!SPO_ARCHES.has(a)) fail(`unsupported architecture ${a}`);
    if (!arches.includes(a)) arches.push(a);
  };
  for (const a of strings(p.architectures)) addArch(a);
  if (Array.isArray(p.archMap)) {
    for (const entry of p.archMap) {
      const e = asObj(entry);
      if (typeof e?.architecture === 'string') addArch(e.architecture);
      for (const sub of strings(e?.subArchitectures)) addArch(sub);
    }
  }

  const caps = new Set(capAdd.map((c) => (c.startsWith('CAP_') ? c : `CAP_${c}`)));
  const syscalls: Obj[] = [];
  for (const raw of Array.isArray(p.syscalls) ? p.syscalls : []) {
    const s = asObj(raw) ?? fail('a syscalls entry is not an object');
    const needCaps = strings(asObj(s.includes)?.caps);
    if (needCaps.some((c) => !caps.has(c))) continue;
    const skipCaps = strings(asObj(s.excludes)?.caps);
    if (skipCaps.some((c) => caps.has(c))) continue;
    const names = [...strings(s.names), ...(typeof s.name === 'string' ? [s.name] : [])];
    if (names.length === 0) continue;
    if (typeof s.action !== 'string' || !SPO_ACTIONS.has(s.action)) fail(`unsupported action ${JSON.stringify(s.action)}`);
    const rule: Obj = { names, action: s.action };
    if (typeof s.errnoRet === 'number') rule.errnoRet = s.errnoRet;
    if (Array.isArray(s.args) && s.args.length > 0) {
      rule.args = s.args.map((rawArg) => {
        const a = asObj(rawArg) ?? fail('a syscall argument is not an object');
        if (typeof a.index !== 'number' || typeof a.op !== 'string' || !SPO_OPS.has(a.op)) fail(`unsupported argument ${JSON.stringify(a)}`);
        const arg: Obj = { index: a.index, op: a.op };
        if (typeof a.value === 'number') arg.value = a.value;
        if (typeof a.valueTwo === 'number' && a.valueTwo !== 0) arg.valueTwo = a.valueTwo;
        return arg;
      });
    }
    syscalls.push(rule);
  }

  const spec: Obj = { defaultAction };
  if (arches.length > 0) spec.architectures = arches;
  if (syscalls.length > 0) spec.syscalls = syscalls;
  const flags = strings(p.flags);
  for (const flag of flags) if (!SPO_FLAGS.has(flag)) fail(`unsupported flag ${flag}`);
  if (flags.length > 0) spec.flags = flags;
  return spec;
}

export function seccompProfileObject(c: Config, f: Facts, profile: unknown): K8sObject {
  return {
    apiVersion: SPO_SECCOMP_API,
    kind: 'SeccompProfile',
    metadata: {
      name: operatorProfileName(f),
      labels: commonLabels(c),
      annotations: { description: `Seccomp allowlist for ${c.name}, converted from ${f.seccompFile ?? 'the generated profile'}` },
    },
    spec: seccompSpecFromProfile(profile, c.capAdd),
  };
}

/**
 * System files the text profile grants read access to (directly or through
 * abstractions/python, openssl, ssl_certs and nameservice, which SPO's
 * generated profile cannot include: it only includes abstractions/base).
 * SPO paths may not contain commas, so `{a,b}` alternations are spelled out.
 */
function systemReadPaths(egress: boolean): string[] {
  const paths = [
    '/usr/local/lib/python3*/', '/usr/local/lib/python3*/**', '/usr/lib/python3*/', '/usr/lib/python3*/**',
    '/etc/python3*/**',
    '/etc/passwd', '/etc/group', '/etc/nsswitch.conf', '/etc/hosts', '/etc/host.conf',
    '/etc/localtime', '/etc/os-release', '/usr/lib/os-release', '/etc/mime.types',
    '/etc/ssl/openssl.cnf', '/usr/lib/ssl/openssl.cnf', '/etc/ssl/certs/', '/etc/ssl/certs/**',
    '/usr/share/ca-certificates/**',
    '/proc/@{pid}/fd/', '/proc/@{pid}/fdinfo/*', '/proc/@{pid}/stat', '/proc/@{pid}/statm',
    '/proc/@{pid}/status', '/proc/@{pid}/cmdline', '/proc/@{pid}/comm', '/proc/@{pid}/limits',
    '/proc/@{pid}/mounts', '/proc/@{pid}/mountinfo', '/proc/@{pid}/cgroup', '/proc/@{pid}/task/',
    '/sys/devices/system/cpu/', '/sys/devices/system/cpu/**',
  ];
  if (egress) paths.push('/etc/resolv.conf', '/etc/gai.conf', '/etc/host.conf');
  return [...new Set(paths)];
}

/**
 * The AppArmor allow-lists for SPO's `spec.abstract`, computed from the same
 * data as the text profile in `security/apparmor/<name>` (../apparmor.ts): the
 * writable set, the custom command's program, UDP only with egress, and the
 * configured capabilities. The app, the venv and the interpreter are
 * read-only, only the writable paths are writable, only Python, the venv's
 * scripts and the smoke test's sh/id/rm may run. (No container init runs under
 * Kubernetes, so the `--init` programs are not listed.)
 */
export function apparmorAbstract(c: Config, f: Facts): Obj {
  const writable = apparmorWritable(c, f);
  const extraExec = apparmorExtraExec(c, f, writable);
  const egress = c.egress === 'dns-tcp';
  const rw = writable.flatMap((w) => [`${w.path}/`, `${w.path}/**`]);
  // SPO adds `deny <path> wlk` for every read-only path, and a deny rule beats
  // any allow: a tree that contains a writable path is listed as a library
  // path instead (read + map, no deny), so writes below it still work.
  const overlaps = (ro: string): boolean => {
    const base = ro.replace(/\/\*\*$/, '').replace(/\/$/, '');
    return writable.some(({ path: w }) => w === base || w.startsWith(`${base}/`) || base.startsWith(`${w}/`));
  };
  const readOnly: string[] = [];
  const readable: string[] = [];
  for (const ro of [`${f.appDir}/`, `${f.appDir}/**`, `${f.venvDir}/`, `${f.venvDir}/**`, ...systemReadPaths(egress)]) {
    (overlaps(ro) ? readable : readOnly).push(ro);
  }
  const executables = [
    '/usr/local/bin/python3*', '/usr/bin/python3*', `${f.venvDir}/bin/*`,
    ...['sh', 'dash', 'id', 'rm'].flatMap((p) => [`/bin/${p}`, `/usr/bin/${p}`]),
    ...extraExec,
  ];
  const abstract: Obj = {
    executable: {
      allowedExecutables: executables,
      // Mapped as code: libpython and compiled extension modules only.
      allowedLibraries: [
        '/usr/local/lib/libpython3*.so*',
        '/usr/local/lib/python3*/**.so*',
        '/usr/lib/python3*/**.so*',
        `${f.appDir}/**.so*`,
        `${f.venvDir}/**.so*`,
        ...readable,
      ],
    },
    filesystem: { readOnlyPaths: readOnly, readWritePaths: rw },
    network: {
      allowRaw: false,
      allowedProtocols: { allowTcp: true, allowUdp: egress },
    },
  };
  if (f.capAdd.length > 0) abstract.capability = { allowedCapabilities: f.capAdd.map((cap) => cap.toLowerCase()) };
  return abstract;
}

export function apparmorProfileObject(c: Config, f: Facts): K8sObject {
  return {
    apiVersion: SPO_APPARMOR_API,
    kind: 'AppArmorProfile',
    metadata: {
      name: operatorProfileName(f),
      labels: commonLabels(c),
      annotations: { description: `AppArmor allow-lists for ${c.name}, the same rules as ${f.apparmorFile ?? 'the generated profile'}` },
    },
    spec: { abstract: apparmorAbstract(c, f) },
  };
}
