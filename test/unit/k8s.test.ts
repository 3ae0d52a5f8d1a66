import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts, STOP_TIMEOUT } from '../../src/config/facts.js';
import { type Config, K8S_MAX_MINOR, K8S_MIN_MINOR } from '../../src/config/schema.js';
import { checkPodSecurity } from '../../src/check/pss.js';
import { createK8sRenderer, defaultSources, renderK8s } from '../../src/render/k8s.js';
import { databasePort, nodeSeccompPath, tmpSizeLimit } from '../../src/render/k8s/objects.js';
import { apparmorAbstract, seccompSpecFromProfile } from '../../src/render/k8s/profiles.js';
import { renderSeccomp } from '../../src/render/seccomp.js';
import { renderApparmor } from '../../src/render/apparmor.js';
import type { RenderedFile } from '../../src/render/types.js';

type Obj = Record<string, any>;

/** A small Docker-format profile standing in for security/seccomp/<name>.json. */
const STUB_PROFILE = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['accept4', 'read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['bind'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_NET_BIND_SERVICE'] } },
  ],
};
const render = renderK8s;

const base = exampleConfig();
const k8s = (over: Partial<Config['k8s']>): Config['k8s'] => ({ ...base.k8s, ...over });

/** Many configs: frameworks, volumes, egress, capabilities, Kubernetes versions, seccomp and AppArmor routes. */
const CONFIGS: Record<string, Config> = {
  default: base,
  django: exampleConfig({ framework: 'django', appModule: 'config.wsgi:application', name: 'shop', k8s: k8s({ namespace: 'shop' }) }),
  fastapi: exampleConfig({ framework: 'fastapi', server: 'uvicorn', appModule: 'main:app', port: 8080, publish: [8080], healthPath: '/health/live' }),
  'gunicorn-uvicorn': exampleConfig({ framework: 'fastapi', server: 'gunicorn-uvicorn', appModule: 'main:app' }),
  custom: exampleConfig({ framework: 'custom', command: ['/usr/local/bin/myserver', '--port', '9000'], port: 9000, publish: [9000] }),
  'one volume': exampleConfig({ volumes: [{ path: '/data', purpose: 'uploads' }] }),
  'two volumes': exampleConfig({ volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/cache/app', purpose: 'cache' }] }),
  'egress any tcp': exampleConfig({ egress: 'dns-tcp' }),
  'egress database': exampleConfig({ egress: 'dns-tcp', databaseUrl: 'postgresql+psycopg://db.internal/app' }),
  'egress sqlite': exampleConfig({ egress: 'dns-tcp', databaseUrl: 'sqlite:////data/app.db', volumes: [{ path: '/data', purpose: 'database' }] }),
  'low port': exampleConfig({ port: 80, publish: [8080], capAdd: ['NET_BIND_SERVICE'] }),
  'apparmor off': exampleConfig({ apparmor: 'off' }),
  'seccomp none': exampleConfig({ seccomp: 'none', k8s: k8s({ operator: true }) }),
  'seccomp baseline': exampleConfig({ seccomp: 'baseline' }),
  'custom ids and dir': exampleConfig({ uid: 20001, gid: 20002, layout: { ...base.layout, k8sDir: 'ops/kube' }, name: 'api', k8s: k8s({ namespace: 'api-canary' }) }),
  'everything, operator': exampleConfig({
    egress: 'dns-tcp', databaseUrl: 'mysql://db:3307/x', capAdd: ['NET_BIND_SERVICE'], port: 443, publish: [8443],
    volumes: [{ path: '/srv/media', purpose: 'media' }], k8s: k8s({ operator: true, version: '1.35' }),
  }),
};
for (const version of ['1.25', '1.29', '1.30', '1.35']) {
  for (const seccomp of ['localhost', 'runtime-default'] as const) {
    for (const operator of [false, true]) {
      CONFIGS[`k8s ${version} ${seccomp}${operator ? ' operator' : ''}`] = exampleConfig({ k8s: k8s({ version, seccomp, operator }) });
    }
  }
}

interface Rendered {
  readonly files: RenderedFile[];
  /** Parsed documents by path relative to k8sDir. */
  readonly docs: Map<string, Obj[]>;
  readonly all: Obj[];
  byKind(kind: string): Obj[];
}

function renderAndParse(c: Config, r = render): Rendered {
  const files = r(c, deriveFacts(c));
  const docs = new Map<string, Obj[]>();
  for (const file of files) {
    expect(file.path.startsWith(`${c.layout.k8sDir}/`)).toBe(true);
    const parsed = parseAllDocuments(file.content);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const d of list) expect(d.errors, file.path).toEqual([]);
    docs.set(file.path.slice(c.layout.k8sDir.length + 1), list.map((d) => d.toJS() as Obj));
  }
  const all = [...docs.values()].flat();
  return { files, docs, all, byKind: (kind) => all.filter((o) => o.kind === kind) };
}

function one<T>(list: T[]): T {
  expect(list).toHaveLength(1);
  return list[0]!;
}

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Namespace, ServiceAccount, PersistentVolumeClaim, Service, Deployment, NetworkPolicy,
};

describe.each(Object.entries(CONFIGS))('%s', (_label, c) => {
  const f = deriveFacts(c);
  const out = renderAndParse(c);
  const minor = Number(c.k8s.version.split('.')[1]);
  const dep = one(out.byKind('Deployment'));
  const pod = dep.spec.template.spec;
  const ctr = one(pod.containers as Obj[]);

  it('every document is a known kind and validates against the Kubernetes OpenAPI schema', () => {
    for (const obj of out.all) {
      const Model = MODELS[obj.kind];
      if (Model) {
        expect(() => new Model(obj).validate(), `${obj.kind}/${obj.metadata?.name}`).not.toThrow();
      } else {
        expect(['Kustomization', 'SeccompProfile', 'AppArmorProfile']).toContain(obj.kind);
      }
    }
  });

  it('passes the Pod Security Standards restricted check at the pinned version', () => {
    const ns = one(out.byKind('Namespace'));
    expect(checkPodSecurity(out.all, { version: ns.metadata.labels['pod-security.kubernetes.io/enforce-version'], optional: true })).toEqual([]);
    expect(checkPodSecurity(out.all, { optional: true })).toEqual([]);
  });

  it('Namespace enforces, audits and warns on restricted, pinned to the target version', () => {
    const ns = one(out.byKind('Namespace'));
    expect(ns.metadata.name).toBe(c.k8s.namespace);
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe(`v${c.k8s.version}`);
    }
  });

  it('every namespaced object lives in the namespace; the operator profiles are cluster-scoped', () => {
    for (const obj of out.all) {
      if (['Namespace', 'Kustomization'].includes(obj.kind)) continue;
      if (['SeccompProfile', 'AppArmorProfile'].includes(obj.kind)) expect(obj.metadata.namespace).toBeUndefined();
      else expect(obj.metadata.namespace, obj.kind).toBe(c.k8s.namespace);
    }
  });

  it('ServiceAccount and pod mount no API token', () => {
    const sa = one(out.byKind('ServiceAccount'));
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('Deployment is a single canary replica selected by its template labels', () => {
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': c.name, track: 'canary' });
    for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) expect(dep.spec.template.metadata.labels[k]).toBe(v);
    expect(dep.spec.strategy?.type).toBe(c.volumes.length > 0 ? 'Recreate' : undefined);
    expect(pod.terminationGracePeriodSeconds).toBe(STOP_TIMEOUT);
  });

  it('pod runs as the configured non-root UID/GID', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: c.uid, runAsGroup: c.gid, fsGroup: c.gid });
    expect(pod.hostNetwork ?? false).toBe(false);
  });

  it('seccomp: Localhost at the node or operator path, or RuntimeDefault', () => {
    const sp = pod.securityContext.seccompProfile;
    if (c.seccomp === 'none' || c.k8s.seccomp === 'runtime-default') {
      expect(sp).toEqual({ type: 'RuntimeDefault' });
    } else if (c.k8s.operator) {
      expect(sp).toEqual({ type: 'Localhost', localhostProfile: `operator/${f.apparmorProfile}.json` });
      const profile = one(out.byKind('SeccompProfile'));
      expect(`operator/${profile.metadata.name}.json`).toBe(sp.localhostProfile);
    } else {
      expect(sp).toEqual({ type: 'Localhost', localhostProfile: `pyconfine/${c.name}.json` });
      const comment = out.files.find((x) => x.path.endsWith('/deployment.yaml'))!.content;
      expect(comment).toContain(`/var/lib/kubelet/seccomp/pyconfine/${c.name}.json`);
      expect(comment).toContain(f.seccompFile!);
    }
    if (sp.type === 'RuntimeDefault') expect(out.byKind('SeccompProfile')).toEqual([]);
    expect(nodeSeccompPath(c, f)).toBe(
      sp.type === 'Localhost' && !c.k8s.operator ? `/var/lib/kubelet/seccomp/${sp.localhostProfile}` : null,
    );
  });

  it('container: no privilege escalation, read-only root, drop ALL, NET_BIND_SERVICE only when configured', () => {
    expect(ctr.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false });
    expect(ctr.securityContext.capabilities.drop).toEqual(['ALL']);
    if (c.capAdd.includes('NET_BIND_SERVICE')) expect(ctr.securityContext.capabilities.add).toEqual(['NET_BIND_SERVICE']);
    else expect(ctr.securityContext.capabilities.add).toBeUndefined();
  });

  it('AppArmor: the field from v1.30, the annotation only before', () => {
    const annotations: Obj = dep.spec.template.metadata.annotations ?? {};
    const key = `container.apparmor.security.beta.kubernetes.io/${ctr.name}`;
    const expected = c.apparmor === 'off'
      ? { type: 'RuntimeDefault' }
      : { type: 'Localhost', localhostProfile: f.apparmorProfile };
    if (minor >= 30) {
      expect(ctr.securityContext.appArmorProfile).toEqual(expected);
      expect(Object.keys(annotations).filter((k) => k.includes('apparmor'))).toEqual([]);
    } else {
      expect(ctr.securityContext.appArmorProfile).toBeUndefined();
      expect(annotations[key]).toBe(c.apparmor === 'off' ? 'runtime/default' : `localhost/${f.apparmorProfile}`);
    }
    const aa = out.byKind('AppArmorProfile');
    if (c.k8s.operator && c.apparmor === 'on') expect(one(aa).metadata.name).toBe(f.apparmorProfile);
    else expect(aa).toEqual([]);
  });

  it('every writable path is an emptyDir (tmp) or a PVC (declared volume), and nothing else is mounted', () => {
    const mounts = new Map((ctr.volumeMounts as Obj[]).map((m) => [m.mountPath, m.name]));
    expect([...mounts.keys()].sort()).toEqual([...f.writablePaths].sort());
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name, v]));
    for (const dir of f.tmpDirs) {
      expect(volumes.get(mounts.get(dir))!.emptyDir).toEqual({ medium: 'Memory', sizeLimit: tmpSizeLimit() });
    }
    const pvcs = out.byKind('PersistentVolumeClaim');
    expect(pvcs.map((p) => p.metadata.name)).toEqual(f.volumeNames.map((v) => v.name));
    for (const vol of f.volumeNames) {
      expect(volumes.get(mounts.get(vol.path))!.persistentVolumeClaim).toEqual({ claimName: vol.name });
    }
  });

  it('probes, containerPort and Service all use the app port and health path', () => {
    expect(ctr.ports).toEqual([{ name: 'http', containerPort: c.port, protocol: 'TCP' }]);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(ctr[probe].httpGet).toMatchObject({ path: c.healthPath, port: c.port });
    }
    const svc = one(out.byKind('Service'));
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: c.port, targetPort: c.port, protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    if (c.port < 1024) {
      expect(pod.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: String(c.port) }]);
    } else {
      expect(pod.securityContext.sysctls).toBeUndefined();
    }
  });

  it('image, pull policy, resources and environment', () => {
    expect(ctr.image).toBe(f.image);
    expect(ctr.imagePullPolicy).toBe('IfNotPresent');
    expect(ctr.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(ctr.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
    const env = Object.fromEntries((ctr.env as Obj[]).map((e) => [e.name, e.value]));
    expect(env.HOME).toBe('/tmp');
    expect(env.PYTHONDONTWRITEBYTECODE).toBe('1');
    expect(env.PATH).toBeUndefined();
    if (c.framework === 'django') expect(env.DJANGO_SETTINGS_MODULE).toBe('config.settings');
  });

  it('NetworkPolicy: default deny, ingress on the app port, egress only when configured', () => {
    const policies = out.byKind('NetworkPolicy');
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0)!;
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
    const ingress = policies.filter((p) => p.spec.ingress);
    expect(one(ingress).spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: c.port }] }]);
    expect(one(ingress).spec.podSelector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    const egress = policies.filter((p) => p.spec.egress);
    if (c.egress === 'none') {
      expect(egress).toEqual([]);
      return;
    }
    const rules = one(egress).spec.egress as Obj[];
    expect(rules[0]!.ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    expect(rules[0]!.to[0].podSelector.matchLabels).toEqual({ 'k8s-app': 'kube-dns' });
    const dbPort = databasePort(c.databaseUrl);
    expect(rules[1]).toEqual({ ports: [dbPort === null ? { protocol: 'TCP' } : { protocol: 'TCP', port: dbPort }] });
    expect(rules).toHaveLength(2);
  });

  it('kustomization.yaml lists exactly the files beside it (and the profiles directory)', () => {
    const kust = one(out.docs.get('kustomization.yaml')!);
    expect(kust).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    const topLevel = [...out.docs.keys()].filter((p) => !p.includes('/') && p !== 'kustomization.yaml');
    const dirs = [...new Set([...out.docs.keys()].filter((p) => p.includes('/')).map((p) => p.split('/')[0]!))];
    expect([...kust.resources].sort()).toEqual([...topLevel, ...dirs].sort());
    for (const dir of dirs) {
      const sub = one(out.docs.get(`${dir}/kustomization.yaml`)!);
      const inDir = [...out.docs.keys()].filter((p) => p.startsWith(`${dir}/`) && !p.endsWith('/kustomization.yaml')).map((p) => p.slice(dir.length + 1));
      expect([...sub.resources].sort()).toEqual(inDir.sort());
    }
    expect(kust.namespace).toBeUndefined();
  });

  it('operator resources carry the CRD fields the Security Profiles Operator reads', () => {
    const localSeccomp = c.seccomp !== 'none' && c.k8s.seccomp === 'localhost';
    expect(out.byKind('SeccompProfile')).toHaveLength(c.k8s.operator && localSeccomp ? 1 : 0);
    expect(out.byKind('AppArmorProfile')).toHaveLength(c.k8s.operator && c.apparmor === 'on' ? 1 : 0);
    for (const sp of out.byKind('SeccompProfile')) {
      expect(sp.apiVersion).toBe('security-profiles-operator.x-k8s.io/v1beta1');
      expect(sp.spec).toEqual(seccompSpecFromProfile(defaultSources.seccompProfile(c, f), c.capAdd));
      expect((sp.spec.syscalls as Obj[]).filter((r) => r.action === 'SCMP_ACT_ALLOW').length).toBeGreaterThan(0);
      expect(Object.keys(sp.spec).every((k) => ['defaultAction', 'architectures', 'syscalls', 'flags', 'baseProfileName'].includes(k))).toBe(true);
    }
    for (const ap of out.byKind('AppArmorProfile')) {
      expect(ap.apiVersion).toBe('security-profiles-operator.x-k8s.io/v1alpha1');
      expect(Object.keys(ap.spec)).toEqual(['abstract']);
      expect(ap.spec.abstract).toEqual(apparmorAbstract(c, f));
      const fs = ap.spec.abstract.filesystem;
      expect(fs.readWritePaths).toEqual(f.writablePaths.flatMap((p) => [`${p}/`, `${p}/**`]));
      expect(fs.readOnlyPaths).toEqual(expect.arrayContaining([`${f.appDir}/**`, `${f.venvDir}/**`]));
      expect(ap.spec.abstract.network.allowedProtocols).toEqual({ allowTcp: true, allowUdp: c.egress === 'dns-tcp' });
      // Every path passes SPO's path validation (absolute, no commas or quotes).
      const paths = [...fs.readOnlyPaths, ...fs.readWritePaths, ...ap.spec.abstract.executable.allowedExecutables, ...ap.spec.abstract.executable.allowedLibraries];
      for (const p of paths) expect(p).toMatch(/^\/[A-Za-z0-9_./*?+@{} -]*$/);
    }
  });

  it('is byte-identical across renders', () => {
    const again = render(c, deriveFacts(c));
    expect(again).toEqual(out.files);
  });
});

describe('supported Kubernetes versions', () => {
  it.each(Array.from({ length: K8S_MAX_MINOR - K8S_MIN_MINOR + 1 }, (_, i) => `1.${K8S_MIN_MINOR + i}`))('%s renders PSS-restricted manifests', (version) => {
    for (const operator of [false, true]) {
      const c = exampleConfig({ k8s: k8s({ version, operator }), volumes: [{ path: '/data', purpose: 'x' }], egress: 'dns-tcp' });
      const out = renderAndParse(c);
      expect(checkPodSecurity(out.all, { version: `v${version}`, optional: true })).toEqual([]);
      const ctr = out.byKind('Deployment')[0]!.spec.template.spec.containers[0];
      expect(ctr.securityContext.appArmorProfile !== undefined).toBe(Number(version.split('.')[1]) >= 30);
    }
  });
});

describe('the checker is not fooled: a weakened Deployment fails', () => {
  const out = renderAndParse(base);
  const weaken: [string, (d: Obj) => void][] = [
    ['privilege escalation allowed', (d) => { d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }],
    ['runAsNonRoot dropped', (d) => { delete d.spec.template.spec.securityContext.runAsNonRoot; delete d.spec.template.spec.containers[0].securityContext.runAsNonRoot; }],
    ['seccomp dropped', (d) => { delete d.spec.template.spec.securityContext.seccompProfile; }],
    ['capability added', (d) => { d.spec.template.spec.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['hostPath volume', (d) => { d.spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/var/run' } }); }],
  ];
  it.each(weaken)('%s', (_name, mutate) => {
    const copy = structuredClone(out.all);
    mutate(copy.find((o) => o.kind === 'Deployment')!);
    expect(checkPodSecurity(copy).length).toBeGreaterThan(0);
  });
});

describe('seccompSpecFromProfile', () => {
  it('keeps names, actions, errno, args and arches; resolves capability conditions', () => {
    expect(seccompSpecFromProfile(STUB_PROFILE)).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      syscalls: [
        { names: ['accept4', 'read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      ],
    });
    const withCap = seccompSpecFromProfile(STUB_PROFILE, ['NET_BIND_SERVICE']);
    expect((withCap.syscalls as Obj[]).at(-1)).toEqual({ names: ['bind'], action: 'SCMP_ACT_ALLOW' });
  });

  it('drops a rule excluded by a granted capability', () => {
    const spec = seccompSpecFromProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_NET_BIND_SERVICE'] } }] }, ['NET_BIND_SERVICE']);
    expect(spec).toEqual({ defaultAction: 'SCMP_ACT_ERRNO' });
  });

  it.each([
    ['not an object', []],
    ['unknown default action', { defaultAction: 'SCMP_ACT_NOPE' }],
    ['unknown arch', { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_Z80'] }],
    ['unknown rule action', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }] }],
    ['unknown arg op', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }] }],
  ])('rejects %s', (_name, profile) => {
    expect(() => seccompSpecFromProfile(profile)).toThrow(/Security Profiles Operator/);
  });
});

describe('databasePort', () => {
  it.each([
    ['postgresql://db:5433/app', 5433],
    ['postgres://user@db/app', 5432],
    ['postgresql+psycopg://db.internal/app', 5432],
    ['mysql://db/x', 3306],
    ['redis://cache', 6379],
    ['sqlite:////data/app.db', null],
    ['weird://host/x', null],
    ['not a url', null],
    [undefined, null],
  ] as const)('%s → %s', (url, port) => {
    expect(databasePort(url)).toBe(port);
  });
});

describe('operator route with the real profile renderers', () => {
  const c = exampleConfig({ k8s: k8s({ operator: true }) });
  const f = deriveFacts(c);

  it('converts the generated seccomp profile, rule for rule', () => {
    const out = renderAndParse(c, renderK8s);
    const file = renderSeccomp(c, f).find((x) => x.path === f.seccompFile);
    expect(file).toBeDefined();
    const profile = JSON.parse(file!.content);
    const sp = one(out.byKind('SeccompProfile'));
    expect(sp.spec).toEqual(seccompSpecFromProfile(profile, c.capAdd));
    expect(sp.spec.defaultAction).toBe(profile.defaultAction);
    const allowedIn = (rules: Obj[]) => new Set(rules.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names));
    expect(allowedIn(sp.spec.syscalls)).toEqual(allowedIn(profile.syscalls));
    expect(allowedIn(sp.spec.syscalls).size).toBeGreaterThan(20);
    expect(sp.spec.architectures).toEqual(profile.archMap.flatMap((a: Obj) => [a.architecture, ...a.subArchitectures]));
  });

  it('without a rendered seccomp profile the operator route fails loudly instead of emitting an empty profile', () => {
    const r = createK8sRenderer({ seccompProfile: () => null });
    expect(() => r(c, f)).toThrow(/seccomp profile .* was not rendered/);
  });

  it('the AppArmorProfile allows what the text profile allows, and no more writes', () => {
    const text = renderApparmor(c, f)[0]?.content;
    expect(text).toBeDefined();
    const abstract = apparmorAbstract(c, f);
    for (const p of f.writablePaths) {
      expect(text).toContain(`${p}/** rwk,`);
      expect((abstract.filesystem as Obj).readWritePaths).toContain(`${p}/**`);
    }
    expect((abstract.filesystem as Obj).readWritePaths).toHaveLength(f.writablePaths.length * 2);
    // UDP and capabilities track the same switches as the text profile.
    expect(text!.includes('network inet dgram')).toBe((abstract.network as Obj).allowedProtocols.allowUdp);
    const egress = exampleConfig({ egress: 'dns-tcp', capAdd: ['NET_BIND_SERVICE'], k8s: k8s({ operator: true }) });
    const fe = deriveFacts(egress);
    const egressText = renderApparmor(egress, fe)[0]!.content;
    const ea = apparmorAbstract(egress, fe);
    expect(egressText.includes('network inet dgram')).toBe((ea.network as Obj).allowedProtocols.allowUdp);
    expect(egressText).toContain('capability net_bind_service,');
    expect(ea.capability).toEqual({ allowedCapabilities: ['net_bind_service'] });
  });
});
