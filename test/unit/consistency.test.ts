/**
 * Cross-artifact consistency over many configs: every artifact agrees on the
 * identity, the port, the writable paths and the profile files; and every
 * command in SECURITY-RUNTIME.md references files that exist in the plan and
 * the same flags as compose, CI and the system tests.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { renderAll } from '../../src/render/index.js';
import { hardeningFlags } from '../../src/render/runtime.js';
import type { Config } from '../../src/config/schema.js';
import { markdownCommands, shellWords } from '../lib/shell.js';

type Obj = Record<string, any>;

const MATRIX: Partial<Config>[] = [];
for (const fw of [
  { framework: 'django', server: 'gunicorn', appModule: 'config.wsgi:application' },
  { framework: 'flask', server: 'gunicorn', appModule: 'app:app' },
  { framework: 'fastapi', server: 'uvicorn', appModule: 'main:app' },
  { framework: 'fastapi', server: 'gunicorn-uvicorn', appModule: 'main:app' },
] as const) {
  for (const ids of [{ uid: 10001, gid: 10001 }, { uid: 20002, gid: 30003 }]) {
    for (const net of [{ port: 8000, publish: [8000] }, { port: 9090, publish: [80, 9090] }]) {
      for (const volumes of [[], [{ path: '/data', purpose: 'uploads' }, { path: '/var/lib/cache', purpose: 'cache' }]]) {
        for (const k8s of [
          { version: '1.30', namespace: 'team-a', seccomp: 'localhost', operator: false },
          { version: '1.28', namespace: 'team-b', seccomp: 'localhost', operator: true },
        ] as const) {
          MATRIX.push({ ...fw, ...ids, ...net, volumes, k8s, name: `svc-${MATRIX.length}` });
        }
      }
    }
  }
}

function render(over: Partial<Config>) {
  const c = exampleConfig(over);
  const f = deriveFacts(c);
  const files = new Map(renderAll(c).map((x) => [x.path, x.content]));
  const yamlDocs = (path: string): Obj[] => parseAllDocuments(files.get(path)!).map((d) => d.toJS() as Obj).filter(Boolean);
  const k8s = [...files.keys()].filter((p) => p.startsWith(`${c.layout.k8sDir}/`) && p.endsWith('.yaml')).flatMap(yamlDocs);
  return { c, f, files, k8s };
}

describe.each(MATRIX.map((m) => [m.name!, m] as const))('consistency %s', (_name, over) => {
  const { c, f, files, k8s } = render(over);
  const df = files.get('Dockerfile')!;
  const compose = parseYaml(files.get('compose.yaml')!) as Obj;
  const svc = compose['services'][c.name] as Obj;
  const deployment = k8s.find((o) => o['kind'] === 'Deployment')!;
  const pod = deployment['spec']['template']['spec'] as Obj;
  const container = pod['containers'][0] as Obj;
  const service = k8s.find((o) => o['kind'] === 'Service')!;
  const smoke = files.get(c.layout.smokeTest)!;
  const docs = files.get(c.layout.docs)!;
  const flags = hardeningFlags(c, f);

  it('UID/GID agree across Dockerfile, compose, run flags, manifests and smoke test', () => {
    const ids = `${c.uid}:${c.gid}`;
    expect(df.match(/^USER (.+)$/gm)!.at(-1)).toBe(`USER ${ids}`);
    expect(svc['user']).toBe(ids);
    expect(flags[flags.indexOf('--user') + 1]).toBe(ids);
    expect([pod['securityContext']['runAsUser'], pod['securityContext']['runAsGroup'], pod['securityContext']['fsGroup']]).toEqual([c.uid, c.gid, c.gid]);
    expect(smoke).toContain(`EXPECTED_UID=${c.uid}\n`);
    expect(smoke).toContain(`EXPECTED_GID=${c.gid}\n`);
    for (const vol of c.volumes) expect(df).toContain(`install -d -o ${c.uid} -g ${c.gid} -m 0750 ${vol.path}`);
  });

  it('the port agrees across EXPOSE, HEALTHCHECK, containerPort, probes, Service, compose and docs', () => {
    expect(df).toMatch(new RegExp(`^EXPOSE ${c.port}$`, 'm'));
    expect(df).toContain(`http://127.0.0.1:${c.port}${c.healthPath}`);
    expect(container['ports'][0]['containerPort']).toBe(c.port);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe]['httpGet']['port']).toBe(c.port);
      expect(container[probe]['httpGet']['path']).toBe(c.healthPath);
    }
    const targets = (service['spec']['ports'] as Obj[]).map((p) => p['targetPort']);
    expect(targets.every((t) => t === c.port || t === 'http')).toBe(true);
    expect(svc['ports']).toEqual(c.publish.map((p) => `127.0.0.1:${p}:${c.port}`));
    const run = markdownCommands(docs).find((w) => w[0] === 'docker' && w[1] === 'run' && w.includes('--detach'))!;
    expect(run.filter((w, i) => run[i - 1] === '--publish')).toEqual(c.publish.map((p) => `127.0.0.1:${p}:${c.port}`));
    expect(smoke).toContain(`HEALTH_URL=http://127.0.0.1:${c.port}${c.healthPath}`);
  });

  it('every writable path is a volume or tmpfs in every artifact, and nothing else is', () => {
    const composeMounts = [...(svc['tmpfs'] as string[]).map((t) => t.split(':')[0]), ...((svc['volumes'] as string[] | undefined) ?? []).map((v) => v.split(':')[1])];
    expect(composeMounts.sort()).toEqual([...f.writablePaths].sort());
    const runMounts = flags.flatMap((w, i) => (flags[i - 1] === '--tmpfs' ? [w.split(':')[0]] : flags[i - 1] === '--volume' ? [w.split(':')[1]] : []));
    expect(runMounts.sort()).toEqual([...f.writablePaths].sort());
    const mounts = (container['volumeMounts'] as Obj[]).map((m) => m['mountPath']);
    expect(mounts.sort()).toEqual([...f.writablePaths].sort());
    const volumesByName = new Map((pod['volumes'] as Obj[]).map((v) => [v['name'], v]));
    for (const m of container['volumeMounts'] as Obj[]) {
      const vol = volumesByName.get(m['name'])!;
      if (f.tmpDirs.includes(m['mountPath'])) expect(vol['emptyDir']).toBeDefined();
      else expect(vol['persistentVolumeClaim']['claimName']).toBeTruthy();
    }
    expect(container['securityContext']['readOnlyRootFilesystem']).toBe(true);
    for (const p of f.writablePaths) expect(smoke).toContain(`check_writable ${p}\n`);
    const profile = files.get(f.apparmorFile!)!;
    for (const p of f.writablePaths) expect(profile).toContain(`${p}/** rwk,`);
  });

  it('every profile path referenced exists in the plan', () => {
    const referenced = new Set<string>();
    for (const opt of svc['security_opt'] as string[]) if (opt.startsWith('seccomp=')) referenced.add(opt.slice(8));
    for (const [i, w] of flags.entries()) if (flags[i - 1] === '--security-opt' && w.startsWith('seccomp=')) referenced.add(w.slice(8));
    expect([...referenced]).toEqual([f.seccompFile]);
    for (const p of referenced) expect(files.has(p)).toBe(true);
    const apparmor = (svc['security_opt'] as string[]).find((o) => o.startsWith('apparmor='))!.slice(9);
    expect(files.get(f.apparmorFile!)).toContain(`profile ${apparmor} `);
    expect(container['securityContext']['appArmorProfile']?.['localhostProfile'] ?? deployment['spec']['template']['metadata']['annotations']?.[`container.apparmor.security.beta.kubernetes.io/${c.name}`]?.replace('localhost/', '')).toBe(apparmor);
    const kustomization = parseYaml(files.get(`${c.layout.k8sDir}/kustomization.yaml`)!) as Obj;
    for (const res of kustomization['resources'] as string[]) {
      const p = `${c.layout.k8sDir}/${res}`;
      expect(files.has(p) || files.has(`${p}/kustomization.yaml`)).toBe(true);
    }
  });

  it('every command in the docs references real generated files and the documented flags', () => {
    const cmds = markdownCommands(docs);
    const paths = new Set(files.keys());
    const build = cmds.find((w) => w[0] === 'docker' && w[1] === 'build')!;
    expect(paths.has(build[build.indexOf('--file') + 1]!)).toBe(true);
    const run = cmds.find((w) => w[0] === 'docker' && w[1] === 'run' && w.includes('--detach'))!;
    expect(run.slice(run.indexOf('--name') + 2, -1)).toEqual(flags);
    expect(run.at(-1)).toBe(f.image);
    const aa = cmds.find((w) => w.includes('apparmor_parser') && w.includes('--replace') && !w.includes('--complain'))!;
    expect(paths.has(aa.at(-1)!)).toBe(true);
    const seccompInRun = run.find((w) => w.startsWith('seccomp='))!.slice(8);
    expect(paths.has(seccompInRun)).toBe(true);
    const smokeRuns = cmds.filter((w) => w.includes('<'));
    expect(smokeRuns.length).toBeGreaterThanOrEqual(2);
    for (const w of smokeRuns) expect(paths.has(w.at(-1)!)).toBe(true);
    const apply = cmds.find((w) => w[0] === 'kubectl' && w[1] === 'apply')!;
    expect(paths.has(`${apply.at(-1)}/kustomization.yaml`)).toBe(true);
    const rollout = cmds.find((w) => w[0] === 'kubectl' && w.includes('rollout'))!;
    expect(rollout[rollout.indexOf('--namespace') + 1]).toBe(c.k8s.namespace);
    expect(rollout).toContain(`deployment/${deployment['metadata']['name']}`);
    expect(cmds.some((w) => w[0] === 'kind' && w[1] === 'create')).toBe(true);
    expect(cmds.some((w) => w[0] === 'kind' && w[1] === 'delete')).toBe(true);
    const statusCheck = cmds.find((w) => w.includes('/proc/1/status'))!;
    expect(statusCheck.join(' ')).toMatch(/Seccomp/);
    const install = cmds.find((w) => w[0] === 'sudo' && w[1] === 'install');
    if (!c.k8s.operator) {
      const localhost = pod['securityContext']['seccompProfile']['localhostProfile'] as string;
      expect(install!.at(-1)).toBe(`/var/lib/kubelet/seccomp/${localhost}`);
      expect(paths.has(install!.at(-2)!)).toBe(true);
    }
  });

  it('CI runs the container with exactly the documented flags', () => {
    const wf = files.get(f.workflowFile)!;
    const runs = [...wf.matchAll(/docker run --detach --name \S+ (.*) (\S+)$/gm)];
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) expect(shellWords(r[1]!)).toEqual(flags);
  });
});
