import { describe, expect, it } from 'vitest';
import {
  BASELINE_ADDABLE_CAPABILITIES,
  PSS_CONTROLS,
  type Finding,
  type PssOptions,
  checkPodSecurity,
  parsePolicyVersion,
  safeSysctls,
} from '../../src/check/pss.js';

type Obj = Record<string, any>;

/** A pod that satisfies every Restricted control (and the optional one). */
function compliantPod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ok', annotations: {} },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: [{ name: 'init', image: 'x', securityContext: hardenedContainerSc() }],
      containers: [
        {
          name: 'app',
          image: 'x',
          ports: [{ containerPort: 8000 }],
          securityContext: hardenedContainerSc(),
          livenessProbe: { httpGet: { path: '/healthz', port: 8000 } },
        },
      ],
      ephemeralContainers: [{ name: 'debug', image: 'x', securityContext: hardenedContainerSc() }],
      volumes: [
        { name: 'tmp', emptyDir: { medium: 'Memory' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'plain' },
      ],
    },
  };
}

function hardenedContainerSc(): Obj {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

interface Case {
  readonly control: string;
  readonly name: string;
  readonly mutate: (pod: Obj) => void;
  /** Policy version the case needs (default latest). */
  readonly version?: string;
  /** The control that reports this at the Restricted level, when a Restricted control overrides it. */
  readonly restrictedAs?: string;
}

const container = (pod: Obj, field: (typeof CONTAINER_FIELDS)[number] = 'containers'): Obj => pod.spec[field][0];

/** Negative controls: one or more violations per control. */
const CASES: Case[] = [
  { control: 'hostProcess', name: 'pod windowsOptions.hostProcess', mutate: (p) => { p.spec.securityContext.windowsOptions = { hostProcess: true }; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'hostProcess', name: `${f} windowsOptions.hostProcess`, mutate: (p) => { container(p, f).securityContext.windowsOptions = { hostProcess: true }; } })),
  ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).map((f): Case => ({ control: 'hostNamespaces', name: f, mutate: (p) => { p.spec[f] = true; } })),
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'privileged', name: `${f} privileged`, mutate: (p) => { container(p, f).securityContext.privileged = true; } })),
  { control: 'capabilities_baseline', name: 'add SYS_ADMIN', restrictedAs: 'capabilities_restricted', mutate: (p) => { container(p).securityContext.capabilities.add = ['SYS_ADMIN']; } },
  { control: 'capabilities_baseline', name: 'init adds NET_RAW', restrictedAs: 'capabilities_restricted', mutate: (p) => { container(p, 'initContainers').securityContext.capabilities.add = ['NET_RAW']; } },
  { control: 'hostPathVolumes', name: 'hostPath volume', restrictedAs: 'volumeTypes', mutate: (p) => { p.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }); } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'hostPorts', name: `${f} hostPort`, mutate: (p) => { container(p, f).ports = [{ containerPort: 80, hostPort: 8080 }]; } })),
  { control: 'hostProbesAndHostLifecycle', name: 'liveness httpGet.host', version: 'v1.34', mutate: (p) => { container(p).livenessProbe.httpGet.host = '10.0.0.1'; } },
  { control: 'hostProbesAndHostLifecycle', name: 'readiness tcpSocket.host', mutate: (p) => { container(p).readinessProbe = { tcpSocket: { port: 1, host: 'node' } }; } },
  { control: 'hostProbesAndHostLifecycle', name: 'init startup probe host', mutate: (p) => { container(p, 'initContainers').startupProbe = { httpGet: { port: 1, host: 'x' } }; } },
  { control: 'hostProbesAndHostLifecycle', name: 'preStop httpGet.host', mutate: (p) => { container(p).lifecycle = { preStop: { httpGet: { port: 1, host: 'metadata' } } }; } },
  { control: 'appArmor', name: 'pod appArmorProfile Unconfined', mutate: (p) => { p.spec.securityContext.appArmorProfile = { type: 'Unconfined' }; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'appArmor', name: `${f} appArmorProfile Unconfined`, mutate: (p) => { container(p, f).securityContext.appArmorProfile = { type: 'Unconfined' }; } })),
  { control: 'appArmor', name: 'annotation unconfined', mutate: (p) => { p.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'; } },
  { control: 'seLinux', name: 'pod SELinux type spc_t', mutate: (p) => { p.spec.securityContext.seLinuxOptions = { type: 'spc_t' }; } },
  { control: 'seLinux', name: 'container SELinux user', mutate: (p) => { container(p).securityContext.seLinuxOptions = { user: 'system_u' }; } },
  { control: 'seLinux', name: 'ephemeral SELinux role', mutate: (p) => { container(p, 'ephemeralContainers').securityContext.seLinuxOptions = { role: 'sysadm_r' }; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'procMount', name: `${f} procMount Unmasked`, mutate: (p) => { container(p, f).securityContext.procMount = 'Unmasked'; } })),
  { control: 'seccomp_baseline', name: 'pod seccomp Unconfined', restrictedAs: 'seccomp_restricted', mutate: (p) => { p.spec.securityContext.seccompProfile = { type: 'Unconfined' }; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'seccomp_baseline', name: `${f} seccomp Unconfined`, restrictedAs: 'seccomp_restricted', mutate: (p) => { container(p, f).securityContext.seccompProfile = { type: 'Unconfined' }; } })),
  { control: 'sysctls', name: 'unsafe sysctl', mutate: (p) => { p.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; } },
  { control: 'sysctls', name: 'safe sysctl before it became safe', version: 'v1.28', mutate: (p) => { p.spec.securityContext.sysctls = [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }]; } },
  ...['gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'portworxVolume', 'photonPersistentDisk', 'scaleIO', 'storageos'].map(
    (type): Case => ({ control: 'volumeTypes', name: `volume ${type}`, mutate: (p) => { p.spec.volumes.push({ name: 'v', [type]: {} }); } }),
  ),
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'allowPrivilegeEscalation', name: `${f} allowPrivilegeEscalation true`, mutate: (p) => { container(p, f).securityContext.allowPrivilegeEscalation = true; } })),
  { control: 'allowPrivilegeEscalation', name: 'allowPrivilegeEscalation unset', mutate: (p) => { delete container(p).securityContext.allowPrivilegeEscalation; } },
  { control: 'allowPrivilegeEscalation', name: 'securityContext with only capabilities', mutate: (p) => { container(p, 'ephemeralContainers').securityContext = { capabilities: { drop: ['ALL'] } }; } },
  { control: 'runAsNonRoot', name: 'pod runAsNonRoot unset', mutate: (p) => { delete p.spec.securityContext.runAsNonRoot; } },
  { control: 'runAsNonRoot', name: 'pod runAsNonRoot false', mutate: (p) => { p.spec.securityContext.runAsNonRoot = false; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'runAsNonRoot', name: `${f} runAsNonRoot false`, mutate: (p) => { container(p, f).securityContext.runAsNonRoot = false; } })),
  { control: 'runAsUser', name: 'pod runAsUser 0', mutate: (p) => { p.spec.securityContext.runAsUser = 0; } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'runAsUser', name: `${f} runAsUser 0`, mutate: (p) => { container(p, f).securityContext.runAsUser = 0; } })),
  { control: 'seccomp_restricted', name: 'no seccomp anywhere', mutate: (p) => { delete p.spec.securityContext.seccompProfile; } },
  { control: 'seccomp_restricted', name: 'only some containers set seccomp', mutate: (p) => {
    delete p.spec.securityContext.seccompProfile;
    container(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
  } },
  ...CONTAINER_FIELDS.map((f): Case => ({ control: 'capabilities_restricted', name: `${f} does not drop ALL`, mutate: (p) => { container(p, f).securityContext.capabilities.drop = ['NET_RAW']; } })),
  { control: 'capabilities_restricted', name: 'adds CHOWN (Baseline-allowed)', mutate: (p) => { container(p).securityContext.capabilities.add = ['CHOWN']; } },
  { control: 'nonRootGroups', name: 'pod runAsGroup 0', mutate: (p) => { p.spec.securityContext.runAsGroup = 0; } },
  { control: 'nonRootGroups', name: 'fsGroup 0', mutate: (p) => { p.spec.securityContext.fsGroup = 0; } },
  { control: 'nonRootGroups', name: 'supplemental group 0', mutate: (p) => { p.spec.securityContext.supplementalGroups = [10001, 0]; } },
  { control: 'nonRootGroups', name: 'no runAsGroup anywhere', mutate: (p) => { delete p.spec.securityContext.runAsGroup; } },
  { control: 'nonRootGroups', name: 'container runAsGroup 0', mutate: (p) => { container(p).securityContext.runAsGroup = 0; } },
];

function levelOf(control: string): PssOptions['level'] | 'optional' {
  return PSS_CONTROLS.find((c) => c.id === control)!.level;
}

function violating(c: Case): Obj {
  const pod = compliantPod();
  c.mutate(pod);
  return pod;
}

describe('the compliant reference pod', () => {
  it.each(['latest', 'v1.25', 'v1.29', 'v1.30', 'v1.31', 'v1.34', 'v1.35'])('passes Restricted (and Non-root groups) at %s', (version) => {
    expect(checkPodSecurity([compliantPod()], { version, optional: true })).toEqual([]);
    expect(checkPodSecurity([compliantPod()], { version, level: 'baseline' })).toEqual([]);
  });

  it('accepts every allowed value the standard lists', () => {
    const pod = compliantPod();
    pod.spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'pyconfine/web.json' };
    container(pod).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    container(pod).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    container(pod).securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'pyconfine-web' };
    pod.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    pod.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'localhost/pyconfine-web';
    pod.metadata.annotations['container.apparmor.security.beta.kubernetes.io/init'] = 'runtime/default';
    container(pod).securityContext.procMount = 'Default';
    container(pod).securityContext.seLinuxOptions = { type: 'container_t' };
    container(pod).ports = [{ containerPort: 8000, hostPort: 0 }];
    pod.spec.hostNetwork = false;
    pod.spec.securityContext.windowsOptions = { hostProcess: false };
    pod.spec.securityContext.sysctls = [...safeSysctls(35)].map((name) => ({ name, value: '1' }));
    pod.spec.volumes.push(
      { name: 's', secret: { secretName: 's' } },
      { name: 'd', downwardAPI: {} },
      { name: 'p', projected: { sources: [] } },
      { name: 'c', csi: { driver: 'x' } },
      { name: 'e', ephemeral: {} },
      { name: 'i', image: { reference: 'x' } },
    );
    expect(checkPodSecurity([pod], { version: 'v1.35', optional: true })).toEqual([]);
  });
});

describe('negative controls: every control catches its violation', () => {
  it('covers every control the checker implements', () => {
    expect(new Set(CASES.map((c) => c.control))).toEqual(new Set(PSS_CONTROLS.map((c) => c.id)));
  });

  it.each(CASES.map((c) => [c.control, c.name, c] as const))('%s: %s', (control, _name, c) => {
    const pod = violating(c);
    const level = levelOf(control);
    const version = c.version ?? 'latest';

    if (level === 'optional') {
      expect(checkPodSecurity([pod], { version })).toEqual([]);
      const found = checkPodSecurity([pod], { version, optional: true });
      expect(found.map((f) => f.control)).toEqual(expect.arrayContaining([control]));
      expect(found.every((f) => f.control === control)).toBe(true);
      return;
    }
    if (level === 'baseline') {
      const found = checkPodSecurity([pod], { version, level: 'baseline' });
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((f) => f.control === control)).toBe(true);
    } else {
      // A Restricted-only violation passes Baseline.
      expect(checkPodSecurity([pod], { version, level: 'baseline' })).toEqual([]);
    }
    // Restricted includes Baseline: the violation is still caught, possibly by the stricter control.
    const restricted = checkPodSecurity([pod], { version });
    expect(restricted.length).toBeGreaterThan(0);
    expect(restricted.every((f) => f.control === (c.restrictedAs ?? control))).toBe(true);
    for (const f of restricted) {
      expect(f.path).toMatch(/^Pod\/ok: (spec|metadata)\./);
      expect(f.message.length).toBeGreaterThan(10);
    }
  });
});

describe('findings', () => {
  it('name the object, the exact field and the container', () => {
    const pod = compliantPod();
    container(pod, 'ephemeralContainers').securityContext.privileged = true;
    expect(checkPodSecurity([pod])).toEqual<Finding[]>([
      {
        control: 'privileged',
        level: 'baseline',
        path: 'Pod/ok: spec.ephemeralContainers[0].securityContext.privileged',
        message: 'container "debug" must not be privileged',
      },
    ]);
  });

  it('report each violating field once', () => {
    const pod = compliantPod();
    pod.spec.hostPID = true;
    pod.spec.hostIPC = true;
    delete pod.spec.securityContext.runAsNonRoot;
    const found = checkPodSecurity([pod]);
    expect(found.map((f) => f.path)).toEqual([
      'Pod/ok: spec.hostPID',
      'Pod/ok: spec.hostIPC',
      'Pod/ok: spec.initContainers[0].securityContext.runAsNonRoot',
      'Pod/ok: spec.containers[0].securityContext.runAsNonRoot',
      'Pod/ok: spec.ephemeralContainers[0].securityContext.runAsNonRoot',
    ]);
  });

  it('a container may opt in to runAsNonRoot and seccomp itself when the pod does not', () => {
    const pod = compliantPod();
    delete pod.spec.securityContext.runAsNonRoot;
    delete pod.spec.securityContext.seccompProfile;
    for (const f of CONTAINER_FIELDS) {
      container(pod, f).securityContext.runAsNonRoot = true;
      container(pod, f).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'x.json' };
    }
    expect(checkPodSecurity([pod])).toEqual([]);
  });
});

describe('policy versions', () => {
  const withSysctl = (name: string): Obj => {
    const pod = compliantPod();
    pod.spec.securityContext.sysctls = [{ name, value: '1' }];
    return pod;
  };
  it.each([
    ['net.ipv4.ip_local_reserved_ports', 'v1.26', 'v1.27'],
    ['net.ipv4.tcp_fin_timeout', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_rmem', 'v1.31', 'v1.32'],
  ])('sysctl %s is unsafe at %s and safe from %s', (name, before, from) => {
    expect(checkPodSecurity([withSysctl(name)], { version: before }).map((f) => f.control)).toEqual(['sysctls']);
    expect(checkPodSecurity([withSysctl(name)], { version: from })).toEqual([]);
  });

  it('SELinux type container_engine_t is allowed from v1.31', () => {
    const pod = compliantPod();
    container(pod).securityContext.seLinuxOptions = { type: 'container_engine_t' };
    expect(checkPodSecurity([pod], { version: 'v1.30' }).map((f) => f.control)).toEqual(['seLinux']);
    expect(checkPodSecurity([pod], { version: 'v1.31' })).toEqual([]);
  });

  it('probe hosts are forbidden from v1.34', () => {
    const pod = compliantPod();
    container(pod).livenessProbe.httpGet.host = 'example.com';
    expect(checkPodSecurity([pod], { version: 'v1.33' })).toEqual([]);
    expect(checkPodSecurity([pod], { version: 'v1.34' }).map((f) => f.control)).toEqual(['hostProbesAndHostLifecycle']);
  });

  it('a user-namespaced pod (hostUsers: false) is exempt from the root-user rules from v1.35', () => {
    const pod = compliantPod();
    pod.spec.hostUsers = false;
    pod.spec.securityContext.runAsNonRoot = false;
    pod.spec.securityContext.runAsUser = 0;
    container(pod).securityContext.procMount = 'Unmasked';
    expect(checkPodSecurity([pod], { version: 'v1.34' }).map((f) => f.control).sort()).toEqual(['procMount', 'runAsNonRoot', 'runAsUser']);
    // At v1.35 Restricted still forbids an unmasked /proc; Baseline lets it through.
    expect(checkPodSecurity([pod], { version: 'v1.35' }).map((f) => f.control)).toEqual(['procMount']);
    expect(checkPodSecurity([pod], { version: 'v1.35', level: 'baseline' })).toEqual([]);
  });

  it('a Windows pod is exempt from the Linux-only Restricted controls from v1.25', () => {
    const pod = compliantPod();
    pod.spec.os = { name: 'windows' };
    delete pod.spec.securityContext.seccompProfile;
    for (const f of CONTAINER_FIELDS) container(pod, f).securityContext = {};
    expect(checkPodSecurity([pod], { version: 'v1.25' })).toEqual([]);
    expect(checkPodSecurity([pod], { version: 'v1.24' }).map((f) => f.control)).toEqual(
      expect.arrayContaining(['allowPrivilegeEscalation', 'seccomp_restricted', 'capabilities_restricted']),
    );
  });

  it('rejects a malformed version', () => {
    expect(() => checkPodSecurity([], { version: '1.x' })).toThrow(/invalid Pod Security policy version/);
    expect(parsePolicyVersion('v1.30')).toBe(30);
    expect(parsePolicyVersion('1.25')).toBe(25);
    expect(parsePolicyVersion('latest')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('pod-bearing objects', () => {
  const bad = (): Obj => {
    const pod = compliantPod();
    container(pod).securityContext.privileged = true;
    return pod;
  };
  const template = (): Obj => ({ metadata: bad().metadata, spec: bad().spec });

  it.each([
    ['Deployment', (t: Obj) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: t } }), 'Deployment/d: spec.template.spec.containers[0]'],
    ['StatefulSet', (t: Obj) => ({ kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: t } }), 'StatefulSet/s: spec.template.spec.containers[0]'],
    ['DaemonSet', (t: Obj) => ({ kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template: t } }), 'DaemonSet/ds: spec.template.spec.containers[0]'],
    ['ReplicaSet', (t: Obj) => ({ kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: t } }), 'ReplicaSet/r: spec.template.spec.containers[0]'],
    ['ReplicationController', (t: Obj) => ({ kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { template: t } }), 'ReplicationController/rc: spec.template.spec.containers[0]'],
    ['Job', (t: Obj) => ({ kind: 'Job', metadata: { name: 'j' }, spec: { template: t } }), 'Job/j: spec.template.spec.containers[0]'],
    ['CronJob', (t: Obj) => ({ kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: t } } } }), 'CronJob/c: spec.jobTemplate.spec.template.spec.containers[0]'],
    ['PodTemplate', (t: Obj) => ({ kind: 'PodTemplate', metadata: { name: 'pt' }, template: t }), 'PodTemplate/pt: template.spec.containers[0]'],
    ['List', (t: Obj) => ({ kind: 'List', items: [{ kind: 'Deployment', metadata: { name: 'in-list' }, spec: { template: t } }] }), 'Deployment/in-list: spec.template.spec.containers[0]'],
  ])('%s is checked through its pod template', (_kind, wrap, prefix) => {
    const found = checkPodSecurity([wrap(template())]);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe(`${prefix}.securityContext.privileged`);
  });

  it('template annotations are checked (AppArmor)', () => {
    const t = template();
    delete t.spec.containers[0].securityContext.privileged;
    t.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    const found = checkPodSecurity([{ kind: 'Deployment', metadata: { name: 'd' }, spec: { template: t } }]);
    expect(found.map((f) => f.path)).toEqual(['Deployment/d: spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]']);
  });

  it('ignores objects without pods and tolerates junk', () => {
    expect(checkPodSecurity([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } },
      null, 42, 'text', [],
    ])).toEqual([]);
  });

  it('an empty pod spec has nothing to violate; one bare container fails every container-level Restricted rule', () => {
    const found = checkPodSecurity([{ kind: 'Pod', metadata: { name: 'e' }, spec: {} }]);
    expect(found).toEqual([]);
    const one = checkPodSecurity([{ kind: 'Pod', metadata: { name: 'e' }, spec: { containers: [{ name: 'c' }] } }]);
    expect(one.map((f) => f.control).sort()).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccomp_restricted']);
  });

  it('the Baseline capability list is the runtime default set', () => {
    expect(BASELINE_ADDABLE_CAPABILITIES).toHaveLength(13);
    expect(BASELINE_ADDABLE_CAPABILITIES).not.toContain('NET_RAW');
    expect(BASELINE_ADDABLE_CAPABILITIES).not.toContain('SYS_ADMIN');
  });
});
