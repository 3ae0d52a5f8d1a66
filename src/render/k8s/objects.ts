/**
 * The canary Kubernetes manifests as plain objects (serialised by ../k8s.ts).
 *
 * One Deployment (1 replica, `track: canary`) in its own namespace that
 * enforces the Pod Security Standards "restricted" policy, with the same
 * identity, read-only root, dropped capabilities, seccomp and AppArmor
 * profiles, writable paths and port as the `docker run` flags in
 * ../runtime.ts. Pure: no disk, no clock.
 *
 * References:
 * - Pod Security Admission labels: https://kubernetes.io/docs/concepts/security/pod-security-admission/
 * - Seccomp `Localhost` profiles are paths relative to the kubelet's seccomp root
 *   (`/var/lib/kubelet/seccomp`): https://kubernetes.io/docs/tutorials/security/seccomp/
 * - AppArmor: the `appArmorProfile` securityContext field is GA in v1.30; older
 *   versions only read the `container.apparmor.security.beta.kubernetes.io/<container>`
 *   annotation: https://kubernetes.io/docs/tutorials/security/apparmor/
 */
import type { Config } from '../../config/schema.js';
import { type Facts, STOP_TIMEOUT, TMPFS_OPTIONS } from '../../config/facts.js';

export type K8sObject = Record<string, unknown>;

/** One output file: a path relative to `layout.k8sDir`, a header comment and its documents. */
export interface ManifestFile {
  readonly name: string;
  /** Comment lines placed above the first document (no leading `#`). */
  readonly comment: readonly string[];
  readonly docs: readonly K8sObject[];
}

/** Directory (under the kubelet seccomp root) that holds the node-installed profiles. */
export const NODE_SECCOMP_SUBDIR = 'pyconfine';
/** The kubelet's seccomp root on a node. */
export const KUBELET_SECCOMP_ROOT = '/var/lib/kubelet/seccomp';
/** The Security Profiles Operator installs profiles under `<kubelet seccomp root>/operator/`. */
export const OPERATOR_SECCOMP_SUBDIR = 'operator';
/** The first minor version with the `appArmorProfile` securityContext field. */
export const APPARMOR_FIELD_MINOR = 30;
/** Label every canary object carries (also the Deployment's selector). */
export const TRACK_LABEL = 'track';
export const HTTP_PORT_NAME = 'http';

/** The container's resource requests and limits (the memory limit matches `--memory 512m`). */
export const RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '512Mi' },
} as const;

/** `"1.30"` → 30. */
export function k8sMinor(c: Config): number {
  const m = /^1\.(\d+)$/.exec(c.k8s.version);
  if (!m) throw new Error(`invalid Kubernetes version ${JSON.stringify(c.k8s.version)}`);
  return Number(m[1]);
}

/** Labels the Deployment selects on (and the Service routes to). */
export function selectorLabels(c: Config): Record<string, string> {
  return { 'app.kubernetes.io/name': c.name, [TRACK_LABEL]: 'canary' };
}

export function commonLabels(c: Config): Record<string, string> {
  return {
    ...selectorLabels(c),
    'app.kubernetes.io/component': 'web',
    'app.kubernetes.io/managed-by': 'pyconfine',
  };
}

/** Name of the operator-managed profiles (cluster-scoped, so prefixed to stay unique). */
export function operatorProfileName(f: Facts): string {
  return f.apparmorProfile;
}

/** How the pod's seccomp profile is chosen. */
export type SeccompChoice =
  | { readonly type: 'RuntimeDefault'; readonly reason: string }
  | { readonly type: 'Localhost'; readonly localhostProfile: string; readonly route: 'node' | 'operator' };

export function seccompChoice(c: Config, f: Facts): SeccompChoice {
  if (c.seccomp === 'none' || f.seccompFile === null) {
    return { type: 'RuntimeDefault', reason: 'no custom seccomp profile is generated (seccomp: none); the runtime default is the least the restricted policy accepts' };
  }
  if (c.k8s.seccomp === 'runtime-default') {
    return { type: 'RuntimeDefault', reason: 'k8s.seccomp is runtime-default' };
  }
  if (c.k8s.operator) {
    return { type: 'Localhost', localhostProfile: `${OPERATOR_SECCOMP_SUBDIR}/${operatorProfileName(f)}.json`, route: 'operator' };
  }
  return { type: 'Localhost', localhostProfile: `${NODE_SECCOMP_SUBDIR}/${c.name}.json`, route: 'node' };
}

/**
 * Absolute path on a node where the generated seccomp profile must be copied
 * for the node-file route (`/var/lib/kubelet/seccomp/pyconfine/<name>.json`),
 * or null when the Deployment does not use a node-installed profile.
 */
export function nodeSeccompPath(c: Config, f: Facts): string | null {
  const choice = seccompChoice(c, f);
  return choice.type === 'Localhost' && choice.route === 'node' ? `${KUBELET_SECCOMP_ROOT}/${choice.localhostProfile}` : null;
}

/** How the container's AppArmor profile is chosen. */
export type AppArmorChoice =
  | { readonly type: 'RuntimeDefault' }
  | { readonly type: 'Localhost'; readonly localhostProfile: string; readonly route: 'node' | 'operator' };

export function apparmorChoice(c: Config, f: Facts): AppArmorChoice {
  if (c.apparmor === 'off' || f.apparmorFile === null) return { type: 'RuntimeDefault' };
  return {
    type: 'Localhost',
    localhostProfile: c.k8s.operator ? operatorProfileName(f) : f.apparmorProfile,
    route: c.k8s.operator ? 'operator' : 'node',
  };
}

/** `size=64m` in TMPFS_OPTIONS → `64Mi`, so emptyDir limits match the tmpfs mounts. */
export function tmpSizeLimit(): string {
  const m = /(?:^|,)size=(\d+)([kmg])(?:,|$)/.exec(TMPFS_OPTIONS);
  if (!m) return '64Mi';
  return `${m[1]}${{ k: 'Ki', m: 'Mi', g: 'Gi' }[m[2] as 'k' | 'm' | 'g']}`;
}

/** Pod volume name for a tmp dir: `/tmp` → `tmp`, `/var/tmp` → `var-tmp`. */
export function tmpVolumeName(path: string): string {
  return path.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase().slice(0, 63).replace(/-+$/, '') || 'tmp';
}

/** Default ports of common database URL schemes (used when the URL names none). */
const DEFAULT_DB_PORTS: Readonly<Record<string, number>> = {
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  rediss: 6379,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  mssql: 1433,
  oracle: 1521,
};

/**
 * The TCP port a database URL connects to, or null when it names no network
 * endpoint (e.g. `sqlite:///…`) or cannot be read.
 * SQLAlchemy-style schemes (`postgresql+psycopg://`) use the part before `+`.
 */
export function databasePort(url: string | undefined): number | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.hostname === '') return null;
  if (parsed.port !== '') return Number(parsed.port);
  const scheme = parsed.protocol.replace(/:$/, '').split('+')[0]!.toLowerCase();
  return DEFAULT_DB_PORTS[scheme] ?? null;
}

function meta(c: Config, name: string, namespaced = true): K8sObject {
  return namespaced
    ? { name, namespace: c.k8s.namespace, labels: commonLabels(c) }
    : { name, labels: commonLabels(c) };
}

export function namespaceObject(c: Config): K8sObject {
  const version = `v${c.k8s.version}`;
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': c.k8s.namespace };
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: c.k8s.namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'pyconfine' } },
  };
}

export function serviceAccountObject(c: Config): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(c, c.name),
    automountServiceAccountToken: false,
  };
}

export function pvcObjects(c: Config, f: Facts): K8sObject[] {
  return f.volumeNames.map((vol) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...meta(c, vol.name),
      annotations: { 'pyconfine.dev/mount-path': vol.path, 'pyconfine.dev/purpose': vol.purpose },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    },
  }));
}

export function deploymentObject(c: Config, f: Facts): K8sObject {
  const minor = k8sMinor(c);
  const seccomp = seccompChoice(c, f);
  const apparmor = apparmorChoice(c, f);
  const container = c.name;

  // Volumes: one PVC per declared volume, an in-memory emptyDir per tmp dir
  // (unless a declared volume already covers that path).
  const declared = new Set(f.volumeNames.map((v) => v.path));
  const tmpDirs = f.tmpDirs.filter((p) => !declared.has(p));
  const volumes: K8sObject[] = [
    ...f.volumeNames.map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: v.name } })),
    ...tmpDirs.map((p) => ({ name: tmpVolumeName(p), emptyDir: { medium: 'Memory', sizeLimit: tmpSizeLimit() } })),
  ];
  const volumeMounts: K8sObject[] = [
    ...f.volumeNames.map((v) => ({ name: v.name, mountPath: v.path })),
    ...tmpDirs.map((p) => ({ name: tmpVolumeName(p), mountPath: p })),
  ];

  const capabilities: K8sObject = { drop: ['ALL'] };
  if (c.capAdd.includes('NET_BIND_SERVICE')) capabilities.add = ['NET_BIND_SERVICE'];

  const containerSc: K8sObject = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities,
  };
  const annotations: Record<string, string> = {};
  if (minor >= APPARMOR_FIELD_MINOR) {
    containerSc.appArmorProfile = apparmor.type === 'Localhost'
      ? { type: 'Localhost', localhostProfile: apparmor.localhostProfile }
      : { type: 'RuntimeDefault' };
  } else {
    annotations[`container.apparmor.security.beta.kubernetes.io/${container}`] =
      apparmor.type === 'Localhost' ? `localhost/${apparmor.localhostProfile}` : 'runtime/default';
  }

  const podSc: K8sObject = {
    runAsNonRoot: true,
    runAsUser: c.uid,
    runAsGroup: c.gid,
    fsGroup: c.gid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: seccomp.type === 'Localhost'
      ? { type: 'Localhost', localhostProfile: seccomp.localhostProfile }
      : { type: 'RuntimeDefault' },
  };
  // A non-root process holds no effective capabilities after exec, so a port
  // below 1024 is made bindable with the namespaced (and PSS-"safe") sysctl.
  if (c.port < 1024) {
    podSc.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: String(c.port) }];
  }

  const probe = (extra: K8sObject): K8sObject => ({
    httpGet: { path: c.healthPath, port: c.port, scheme: 'HTTP' },
    ...extra,
  });

  const env = f.env
    .filter(([k]) => k !== 'PATH' && k !== 'VIRTUAL_ENV')
    .map(([name, value]) => ({ name, value }));

  const template: K8sObject = {
    metadata: {
      labels: commonLabels(c),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      serviceAccountName: c.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: STOP_TIMEOUT,
      securityContext: podSc,
      containers: [
        {
          name: container,
          image: c.k8s.image ? (c.k8s.image.digest ? `${c.k8s.image.ref}@${c.k8s.image.digest}` : c.k8s.image.ref) : f.image,
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: HTTP_PORT_NAME, containerPort: c.port, protocol: 'TCP' }],
          env,
          securityContext: containerSc,
          resources: { requests: { ...RESOURCES.requests }, limits: { ...RESOURCES.limits } },
          startupProbe: probe({ periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 }),
          readinessProbe: probe({ periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
          livenessProbe: probe({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
          volumeMounts,
        },
      ],
      volumes,
    },
  };

  const spec: K8sObject = {
    replicas: 1,
    revisionHistoryLimit: 2,
    selector: { matchLabels: selectorLabels(c) },
  };
  // ReadWriteOnce claims cannot be shared by an old and a new pod on different nodes.
  if (f.volumeNames.length > 0) spec.strategy = { type: 'Recreate' };
  spec.template = template;

  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(c, c.name), spec };
}

export function serviceObject(c: Config): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, c.name),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(c),
      ports: [{ name: HTTP_PORT_NAME, port: c.port, targetPort: c.port, protocol: 'TCP' }],
    },
  };
}

export function networkPolicyObjects(c: Config): K8sObject[] {
  const pods = { matchLabels: selectorLabels(c) };
  const out: K8sObject[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, `${c.name}-default-deny`),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, `${c.name}-allow-ingress`),
      spec: {
        podSelector: pods,
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: c.port }] }],
      },
    },
  ];
  if (c.egress === 'dns-tcp') {
    const dbPort = databasePort(c.databaseUrl);
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(c, `${c.name}-allow-egress`),
      spec: {
        podSelector: pods,
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          },
          { ports: [dbPort === null ? { protocol: 'TCP' } : { protocol: 'TCP', port: dbPort }] },
        ],
      },
    });
  }
  return out;
}
