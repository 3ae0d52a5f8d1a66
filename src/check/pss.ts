/**
 * Pod Security Standards checker: the Baseline and Restricted policies of
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * expressed as rules over plain objects (parsed YAML), so that generated
 * manifests and a user's existing manifests can be audited without a cluster.
 *
 * The rules follow the published standard control by control, including the
 * version-dependent details that Pod Security Admission applies for a pinned
 * `pod-security.kubernetes.io/enforce-version`:
 * - sysctls: the "safe" set grew in v1.27, v1.29 and v1.32;
 * - SELinux: `container_engine_t` is an allowed type from v1.31;
 * - probe / lifecycle `host` fields are forbidden from v1.34;
 * - from v1.35, a pod in a user namespace (`hostUsers: false`) is exempt from
 *   the runAsNonRoot / runAsUser rules and, at Baseline only, from procMount;
 * - from v1.25, a pod with `spec.os.name: windows` is exempt from the Linux-only
 *   Restricted rules (allowPrivilegeEscalation, seccomp, capabilities).
 *
 * Where a Restricted control tightens a Baseline one (volume types over
 * HostPath volumes, seccomp, capabilities), only the Restricted control is
 * reported at the Restricted level, as Pod Security Admission does.
 *
 * Every pod-bearing object is checked: Pod, PodTemplate, Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, Job, CronJob, ReplicationController (and `List` items).
 * Other objects are ignored.
 */

export type PssLevel = 'baseline' | 'restricted';

export interface Finding {
  /** Control id, e.g. `runAsNonRoot` (see PSS_CONTROLS). */
  readonly control: string;
  /** Where: `<Kind>/<name>` then the field path, e.g. `Deployment/web: spec.template.spec.containers[0].securityContext.privileged`. */
  readonly path: string;
  readonly message: string;
  /** The policy level the control belongs to. */
  readonly level: PssLevel | 'optional';
}

export interface PssOptions {
  /** Policy to check against (default `restricted`, which includes all Baseline controls). */
  readonly level?: PssLevel;
  /** Policy version as in `enforce-version`: `latest` (default), `v1.30` or `1.30`. */
  readonly version?: string;
  /** Also check the optional "Non-root groups" control (not enforced by Pod Security Admission). */
  readonly optional?: boolean;
}

export interface ControlInfo {
  readonly id: string;
  readonly level: PssLevel | 'optional';
  readonly title: string;
}

/** Every control this checker implements, in the order of the published standard. */
export const PSS_CONTROLS: readonly ControlInfo[] = [
  { id: 'hostProcess', level: 'baseline', title: 'HostProcess' },
  { id: 'hostNamespaces', level: 'baseline', title: 'Host Namespaces' },
  { id: 'privileged', level: 'baseline', title: 'Privileged Containers' },
  { id: 'capabilities_baseline', level: 'baseline', title: 'Capabilities' },
  { id: 'hostPathVolumes', level: 'baseline', title: 'HostPath Volumes' },
  { id: 'hostPorts', level: 'baseline', title: 'Host Ports' },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', title: 'Host Probes / Lifecycle Hooks' },
  { id: 'appArmor', level: 'baseline', title: 'AppArmor' },
  { id: 'seLinux', level: 'baseline', title: 'SELinux' },
  { id: 'procMount', level: 'baseline', title: '/proc Mount Type' },
  { id: 'seccomp_baseline', level: 'baseline', title: 'Seccomp' },
  { id: 'sysctls', level: 'baseline', title: 'Sysctls' },
  { id: 'volumeTypes', level: 'restricted', title: 'Volume Types' },
  { id: 'allowPrivilegeEscalation', level: 'restricted', title: 'Privilege Escalation' },
  { id: 'runAsNonRoot', level: 'restricted', title: 'Running as Non-root' },
  { id: 'runAsUser', level: 'restricted', title: 'Running as Non-root user' },
  { id: 'seccomp_restricted', level: 'restricted', title: 'Seccomp' },
  { id: 'capabilities_restricted', level: 'restricted', title: 'Capabilities' },
  { id: 'nonRootGroups', level: 'optional', title: 'Non-root groups' },
];

/** Capabilities Baseline lets a container add (the container runtime's historical default set). */
export const BASELINE_ADDABLE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** The "safe" sysctls, by the policy version that first allows them. */
const SAFE_SYSCTLS: readonly (readonly [minor: number, names: readonly string[]])[] = [
  [0, [
    'kernel.shm_rmid_forced',
    'net.ipv4.ip_local_port_range',
    'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range',
    'net.ipv4.ip_unprivileged_port_start',
  ]],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, [
    'net.ipv4.tcp_keepalive_time',
    'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes',
  ]],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

/** Inline volume sources the Restricted policy allows. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image',
  'persistentVolumeClaim', 'projected', 'secret',
];

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const LATEST = Number.POSITIVE_INFINITY;

/** Safe sysctl names for a policy version (minor; `Infinity` for latest). */
export function safeSysctls(minor: number = LATEST): Set<string> {
  const names = new Set<string>();
  for (const [since, list] of SAFE_SYSCTLS) if (minor >= since) for (const n of list) names.add(n);
  return names;
}

/** Allowed SELinux types for a policy version. */
export function allowedSelinuxTypes(minor: number = LATEST): Set<string> {
  const types = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
  if (minor >= 31) types.add('container_engine_t');
  return types;
}

/** `latest` → Infinity; `v1.30` / `1.30` → 30. Throws on anything else. */
export function parsePolicyVersion(version: string | undefined): number {
  if (version === undefined || version === 'latest') return LATEST;
  const m = /^v?1\.(\d{1,2})$/.exec(version);
  if (!m) throw new Error(`invalid Pod Security policy version ${JSON.stringify(version)} (expected "latest" or "v1.N")`);
  return Number(m[1]);
}

// ---------------------------------------------------------------------------
// Small accessors over untyped data.

type Obj = Record<string, unknown>;

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
function asArr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function at(v: unknown, ...keys: string[]): unknown {
  let cur: unknown = v;
  for (const k of keys) {
    const o = asObj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}
function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

// ---------------------------------------------------------------------------
// Pod extraction.

interface PodView {
  /** `Kind/name` of the object that carries the pod. */
  readonly object: string;
  /** Field path prefix of the pod template inside that object, e.g. `spec.template.`. */
  readonly prefix: string;
  readonly metadata: Obj;
  readonly spec: Obj;
}

const TEMPLATE_KINDS = new Set([
  'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController',
]);

function podViews(doc: unknown, out: PodView[]): void {
  const o = asObj(doc);
  if (!o) return;
  const kind = typeof o.kind === 'string' ? o.kind : '';
  if (kind.endsWith('List') && Array.isArray(o.items)) {
    for (const item of o.items) podViews(item, out);
    return;
  }
  const name = at(o, 'metadata', 'name');
  const object = `${kind || 'Object'}/${typeof name === 'string' ? name : '?'}`;
  const push = (prefix: string, template: unknown): void => {
    const t = asObj(template);
    if (!t) return;
    out.push({ object, prefix, metadata: asObj(t.metadata) ?? {}, spec: asObj(t.spec) ?? {} });
  };
  if (kind === 'Pod') push('', o);
  else if (kind === 'PodTemplate') push('template.', o.template);
  else if (TEMPLATE_KINDS.has(kind)) push('spec.template.', at(o, 'spec', 'template'));
  else if (kind === 'CronJob') push('spec.jobTemplate.spec.template.', at(o, 'spec', 'jobTemplate', 'spec', 'template'));
}

interface ContainerView {
  readonly name: string;
  /** e.g. `spec.containers[0]` (relative to the pod). */
  readonly path: string;
  readonly c: Obj;
  readonly sc: Obj | undefined;
}

function containers(spec: Obj): ContainerView[] {
  const out: ContainerView[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    asArr(spec[field]).forEach((raw, i) => {
      const c = asObj(raw) ?? {};
      out.push({
        name: typeof c.name === 'string' ? c.name : `#${i}`,
        path: `spec.${field}[${i}]`,
        c,
        sc: asObj(c.securityContext),
      });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Controls. Each returns raw findings relative to the pod (path without the object).

interface Ctx {
  readonly meta: Obj;
  readonly spec: Obj;
  readonly psc: Obj | undefined;
  readonly ctrs: readonly ContainerView[];
  readonly minor: number;
  readonly level: PssLevel;
  /** `spec.os.name: windows` (exempts Linux-only Restricted controls from v1.25). */
  readonly windows: boolean;
  /** `spec.hostUsers: false` (relaxes some controls from v1.35). */
  readonly userNamespace: boolean;
}

type Raw = { path: string; message: string };
type Rule = (ctx: Ctx) => Raw[];

const hostProcess: Rule = ({ psc, ctrs }) => {
  const out: Raw[] = [];
  if (at(psc, 'windowsOptions', 'hostProcess') === true) {
    out.push({ path: 'spec.securityContext.windowsOptions.hostProcess', message: 'pod must not set windowsOptions.hostProcess=true' });
  }
  for (const k of ctrs) {
    if (at(k.sc, 'windowsOptions', 'hostProcess') === true) {
      out.push({ path: `${k.path}.securityContext.windowsOptions.hostProcess`, message: `container "${k.name}" must not set windowsOptions.hostProcess=true` });
    }
  }
  return out;
};

const hostNamespaces: Rule = ({ spec }) =>
  (['hostNetwork', 'hostPID', 'hostIPC'] as const)
    .filter((f) => spec[f] === true)
    .map((f) => ({ path: `spec.${f}`, message: `pod must not set ${f}=true (sharing the host's namespace)` }));

const privileged: Rule = ({ ctrs }) =>
  ctrs
    .filter((k) => k.sc?.privileged === true)
    .map((k) => ({ path: `${k.path}.securityContext.privileged`, message: `container "${k.name}" must not be privileged` }));

const capabilitiesBaseline: Rule = ({ ctrs }) => {
  const allowed = new Set(BASELINE_ADDABLE_CAPABILITIES);
  const out: Raw[] = [];
  for (const k of ctrs) {
    const bad = asArr(at(k.sc, 'capabilities', 'add')).filter((c) => typeof c !== 'string' || !allowed.has(c));
    if (bad.length > 0) {
      out.push({ path: `${k.path}.securityContext.capabilities.add`, message: `container "${k.name}" must not add capabilities beyond the default set: ${bad.map(show).join(', ')}` });
    }
  }
  return out;
};

const hostPathVolumes: Rule = ({ spec }) => {
  const out: Raw[] = [];
  asArr(spec.volumes).forEach((v, i) => {
    if (asObj(v)?.hostPath !== undefined) {
      out.push({ path: `spec.volumes[${i}].hostPath`, message: `volume ${show(at(v, 'name'))} must not be a hostPath volume` });
    }
  });
  return out;
};

const hostPorts: Rule = ({ ctrs }) => {
  const out: Raw[] = [];
  for (const k of ctrs) {
    asArr(k.c.ports).forEach((p, i) => {
      const hp = at(p, 'hostPort');
      if (hp !== undefined && hp !== null && hp !== 0) {
        out.push({ path: `${k.path}.ports[${i}].hostPort`, message: `container "${k.name}" must not use hostPort ${show(hp)}` });
      }
    });
  }
  return out;
};

const hostProbesAndHostLifecycle: Rule = ({ ctrs, minor }) => {
  if (minor < 34) return [];
  const out: Raw[] = [];
  const checkHandler = (k: ContainerView, path: string, handler: unknown): void => {
    for (const kind of ['httpGet', 'tcpSocket'] as const) {
      const host = at(handler, kind, 'host');
      if (host !== undefined && host !== null && host !== '') {
        out.push({ path: `${k.path}.${path}.${kind}.host`, message: `container "${k.name}" must not set ${path}.${kind}.host (${show(host)})` });
      }
    }
  };
  for (const k of ctrs) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) checkHandler(k, probe, k.c[probe]);
    for (const hook of ['postStart', 'preStop'] as const) checkHandler(k, `lifecycle.${hook}`, at(k.c, 'lifecycle', hook));
  }
  return out;
};

const appArmor: Rule = ({ meta, psc, ctrs }) => {
  const out: Raw[] = [];
  const okType = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
  const pt = at(psc, 'appArmorProfile');
  if (pt !== undefined && !okType(at(pt, 'type'))) {
    out.push({ path: 'spec.securityContext.appArmorProfile.type', message: `pod must not set AppArmor profile type ${show(at(pt, 'type'))} (allowed: RuntimeDefault, Localhost)` });
  }
  for (const k of ctrs) {
    const ct = at(k.sc, 'appArmorProfile');
    if (ct !== undefined && !okType(at(ct, 'type'))) {
      out.push({ path: `${k.path}.securityContext.appArmorProfile.type`, message: `container "${k.name}" must not set AppArmor profile type ${show(at(ct, 'type'))} (allowed: RuntimeDefault, Localhost)` });
    }
  }
  const annotations = asObj(meta.annotations) ?? {};
  for (const key of Object.keys(annotations).sort()) {
    if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    const v = annotations[key];
    const ok = v === undefined || v === null || v === '' || v === 'runtime/default' || (typeof v === 'string' && v.startsWith('localhost/'));
    if (!ok) {
      out.push({ path: `metadata.annotations[${key}]`, message: `AppArmor annotation must be runtime/default or localhost/<profile>, not ${show(v)}` });
    }
  }
  return out;
};

const seLinux: Rule = ({ psc, ctrs, minor }) => {
  const types = allowedSelinuxTypes(minor);
  const out: Raw[] = [];
  const check = (opts: unknown, path: string, who: string): void => {
    const o = asObj(opts);
    if (!o) return;
    const t = o.type ?? '';
    if (typeof t !== 'string' || !types.has(t)) {
      out.push({ path: `${path}.type`, message: `${who} must not set SELinux type ${show(t)} (allowed: ${[...types].filter(Boolean).join(', ')})` });
    }
    for (const f of ['user', 'role'] as const) {
      if (o[f] !== undefined && o[f] !== null && o[f] !== '') {
        out.push({ path: `${path}.${f}`, message: `${who} must not set a custom SELinux ${f}` });
      }
    }
  };
  check(at(psc, 'seLinuxOptions'), 'spec.securityContext.seLinuxOptions', 'pod');
  for (const k of ctrs) check(at(k.sc, 'seLinuxOptions'), `${k.path}.securityContext.seLinuxOptions`, `container "${k.name}"`);
  return out;
};

const procMount: Rule = ({ ctrs, minor, level, userNamespace }) => {
  if (level === 'baseline' && minor >= 35 && userNamespace) return [];
  return ctrs
    .filter((k) => k.sc?.procMount !== undefined && k.sc?.procMount !== null && k.sc?.procMount !== 'Default')
    .map((k) => ({ path: `${k.path}.securityContext.procMount`, message: `container "${k.name}" must not set procMount ${show(k.sc?.procMount)} (only Default keeps the /proc masks)` }));
};

const okSeccomp = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';

const seccompBaseline: Rule = ({ psc, ctrs }) => {
  const out: Raw[] = [];
  const pp = at(psc, 'seccompProfile');
  if (pp !== undefined && !okSeccomp(at(pp, 'type'))) {
    out.push({ path: 'spec.securityContext.seccompProfile.type', message: `pod must not set seccomp profile type ${show(at(pp, 'type'))}` });
  }
  for (const k of ctrs) {
    const cp = at(k.sc, 'seccompProfile');
    if (cp !== undefined && !okSeccomp(at(cp, 'type'))) {
      out.push({ path: `${k.path}.securityContext.seccompProfile.type`, message: `container "${k.name}" must not set seccomp profile type ${show(at(cp, 'type'))}` });
    }
  }
  return out;
};

const sysctls: Rule = ({ psc, minor }) => {
  const safe = safeSysctls(minor);
  const out: Raw[] = [];
  asArr(at(psc, 'sysctls')).forEach((s, i) => {
    const name = at(s, 'name');
    if (typeof name !== 'string' || !safe.has(name)) {
      out.push({ path: `spec.securityContext.sysctls[${i}].name`, message: `sysctl ${show(name)} is not in the safe set` });
    }
  });
  return out;
};

const volumeTypes: Rule = ({ spec }) => {
  const allowed = new Set(RESTRICTED_VOLUME_TYPES);
  const out: Raw[] = [];
  asArr(spec.volumes).forEach((raw, i) => {
    const v = asObj(raw) ?? {};
    // A volume with no source at all is defaulted to emptyDir by the API server.
    const bad = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null && !allowed.has(k));
    if (bad.length > 0) {
      out.push({ path: `spec.volumes[${i}]`, message: `volume ${show(v.name)} uses a restricted volume type: ${bad.join(', ')} (allowed: ${RESTRICTED_VOLUME_TYPES.join(', ')})` });
    }
  });
  return out;
};

const allowPrivilegeEscalation: Rule = ({ ctrs, windows, minor }) => {
  if (windows && minor >= 25) return [];
  return ctrs
    .filter((k) => k.sc?.allowPrivilegeEscalation !== false)
    .map((k) => ({ path: `${k.path}.securityContext.allowPrivilegeEscalation`, message: `container "${k.name}" must set allowPrivilegeEscalation=false` }));
};

const runAsNonRoot: Rule = ({ psc, ctrs, minor, userNamespace }) => {
  if (minor >= 35 && userNamespace) return [];
  const out: Raw[] = [];
  const pod = psc?.runAsNonRoot;
  if (pod !== undefined && pod !== true) {
    out.push({ path: 'spec.securityContext.runAsNonRoot', message: 'pod must not set runAsNonRoot to anything but true' });
  }
  for (const k of ctrs) {
    const own = k.sc?.runAsNonRoot;
    if (own !== undefined && own !== true) {
      out.push({ path: `${k.path}.securityContext.runAsNonRoot`, message: `container "${k.name}" must not set runAsNonRoot to anything but true` });
    } else if (own === undefined && pod === undefined) {
      // (When the pod sets runAsNonRoot to a bad value, that one finding covers the containers.)
      out.push({ path: `${k.path}.securityContext.runAsNonRoot`, message: `pod or container "${k.name}" must set runAsNonRoot=true` });
    }
  }
  return out;
};

const runAsUser: Rule = ({ psc, ctrs, minor, userNamespace }) => {
  if (minor < 23) return [];
  if (minor >= 35 && userNamespace) return [];
  const out: Raw[] = [];
  if (psc?.runAsUser === 0) out.push({ path: 'spec.securityContext.runAsUser', message: 'pod must not set runAsUser=0' });
  for (const k of ctrs) {
    if (k.sc?.runAsUser === 0) out.push({ path: `${k.path}.securityContext.runAsUser`, message: `container "${k.name}" must not set runAsUser=0` });
  }
  return out;
};

const seccompRestricted: Rule = (ctx) => {
  if (ctx.windows && ctx.minor >= 25) return [];
  const out: Raw[] = [];
  const pp = at(ctx.psc, 'seccompProfile');
  const podOk = pp !== undefined && okSeccomp(at(pp, 'type'));
  if (pp !== undefined && !podOk) {
    out.push({ path: 'spec.securityContext.seccompProfile.type', message: `pod must not set seccomp profile type ${show(at(pp, 'type'))} (allowed: RuntimeDefault, Localhost)` });
  }
  for (const k of ctx.ctrs) {
    const cp = at(k.sc, 'seccompProfile');
    if (cp !== undefined) {
      if (!okSeccomp(at(cp, 'type'))) {
        out.push({ path: `${k.path}.securityContext.seccompProfile.type`, message: `container "${k.name}" must not set seccomp profile type ${show(at(cp, 'type'))} (allowed: RuntimeDefault, Localhost)` });
      }
    } else if (!podOk) {
      out.push({ path: `${k.path}.securityContext.seccompProfile`, message: `pod or container "${k.name}" must set seccompProfile.type to RuntimeDefault or Localhost` });
    }
  }
  return out;
};

const capabilitiesRestricted: Rule = ({ ctrs, windows, minor }) => {
  if (windows && minor >= 25) return [];
  const out: Raw[] = [];
  for (const k of ctrs) {
    const drop = asArr(at(k.sc, 'capabilities', 'drop'));
    if (!drop.includes('ALL')) {
      out.push({ path: `${k.path}.securityContext.capabilities.drop`, message: `container "${k.name}" must drop ALL capabilities` });
    }
    const bad = asArr(at(k.sc, 'capabilities', 'add')).filter((c) => c !== 'NET_BIND_SERVICE');
    if (bad.length > 0) {
      out.push({ path: `${k.path}.securityContext.capabilities.add`, message: `container "${k.name}" may add only NET_BIND_SERVICE, not ${bad.map(show).join(', ')}` });
    }
  }
  return out;
};

const nonRootGroups: Rule = ({ psc, ctrs }) => {
  const out: Raw[] = [];
  const isPositive = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const podGroup = psc?.runAsGroup;
  if (podGroup !== undefined && !isPositive(podGroup)) {
    out.push({ path: 'spec.securityContext.runAsGroup', message: `pod runAsGroup must be non-zero, not ${show(podGroup)}` });
  }
  if (psc?.fsGroup !== undefined && !isPositive(psc.fsGroup)) {
    out.push({ path: 'spec.securityContext.fsGroup', message: `pod fsGroup must be non-zero, not ${show(psc.fsGroup)}` });
  }
  asArr(psc?.supplementalGroups).forEach((g, i) => {
    if (!isPositive(g)) out.push({ path: `spec.securityContext.supplementalGroups[${i}]`, message: `supplemental group must be non-zero, not ${show(g)}` });
  });
  for (const k of ctrs) {
    const own = k.sc?.runAsGroup;
    if (own !== undefined) {
      if (!isPositive(own)) out.push({ path: `${k.path}.securityContext.runAsGroup`, message: `container "${k.name}" runAsGroup must be non-zero, not ${show(own)}` });
    } else if (podGroup === undefined) {
      out.push({ path: `${k.path}.securityContext.runAsGroup`, message: `pod or container "${k.name}" must set a non-zero runAsGroup (the image's group may be root)` });
    }
  }
  return out;
};

const RULES: Readonly<Record<string, Rule>> = {
  hostProcess,
  hostNamespaces,
  privileged,
  capabilities_baseline: capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  appArmor,
  seLinux,
  procMount,
  seccomp_baseline: seccompBaseline,
  sysctls,
  volumeTypes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccomp_restricted: seccompRestricted,
  capabilities_restricted: capabilitiesRestricted,
  nonRootGroups,
};

/** Baseline controls a Restricted control replaces (reported once, as the stricter control). */
const OVERRIDDEN_AT_RESTRICTED = new Set(['hostPathVolumes', 'seccomp_baseline', 'capabilities_baseline']);

function activeControls(opts: PssOptions): ControlInfo[] {
  const level = opts.level ?? 'restricted';
  return PSS_CONTROLS.filter((c) => {
    if (c.level === 'optional') return opts.optional === true;
    if (level === 'baseline') return c.level === 'baseline';
    return !OVERRIDDEN_AT_RESTRICTED.has(c.id);
  });
}

function checkPodView(view: PodView, opts: PssOptions): Finding[] {
  const minor = parsePolicyVersion(opts.version);
  const spec = view.spec;
  const ctx: Ctx = {
    meta: view.metadata,
    spec,
    psc: asObj(spec.securityContext),
    ctrs: containers(spec),
    minor,
    level: opts.level ?? 'restricted',
    windows: at(spec, 'os', 'name') === 'windows',
    userNamespace: spec.hostUsers === false,
  };
  const findings: Finding[] = [];
  for (const control of activeControls(opts)) {
    for (const raw of RULES[control.id]!(ctx)) {
      findings.push({
        control: control.id,
        level: control.level,
        path: `${view.object}: ${view.prefix}${raw.path}`,
        message: raw.message,
      });
    }
  }
  return findings;
}

/**
 * Check every pod-bearing object against the Pod Security Standards
 * (default: Restricted, latest policy version). Returns one finding per
 * violating field; an empty array means the objects pass.
 */
export function checkPodSecurity(objects: readonly unknown[], opts: PssOptions = {}): Finding[] {
  parsePolicyVersion(opts.version);
  const views: PodView[] = [];
  for (const o of objects) podViews(o, views);
  return views.flatMap((v) => checkPodView(v, opts));
}
