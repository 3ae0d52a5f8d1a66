import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { ARTIFACTS } from '../../src/config/schema.js';
import { ACTIONS, KIND, PINNED_ACTIONS, SPO_CRDS } from '../../src/knowledge/actions.js';
import { hardeningFlags } from '../../src/render/runtime.js';
import { renderK8s } from '../../src/render/k8s.js';
import { CONTAINERS, GITLAB_FILE, renderWorkflow } from '../../src/render/workflow.js';
import { shellWords } from '../lib/shell.js';

type Obj = Record<string, any>;

function render(overrides: Partial<Config> = {}) {
  const c = exampleConfig(overrides);
  const f = deriveFacts(c);
  const files = renderWorkflow(c, f);
  expect(files).toHaveLength(1);
  const file = files[0]!;
  return { c, f, file, text: file.content, doc: parse(file.content) as Obj };
}

/** Every `docker run --detach --name NAME … IMAGE` line in the scripts → its flags. */
function dockerRuns(scripts: string[]): { name: string; flags: string[]; image: string }[] {
  const runs: { name: string; flags: string[]; image: string }[] = [];
  for (const s of scripts) {
    for (const line of s.split('\n')) {
      if (!line.trimStart().startsWith('docker run')) continue;
      const words = shellWords(line.trim());
      expect(words.slice(0, 4)).toEqual(['docker', 'run', '--detach', '--name']);
      runs.push({ name: words[4]!, flags: words.slice(5, -1), image: words.at(-1)! });
    }
  }
  return runs;
}

function githubScripts(doc: Obj, job?: string): string[] {
  const jobs = job ? [doc.jobs[job]] : Object.values(doc.jobs);
  return jobs.flatMap((j: Obj) => (j.steps as Obj[]).filter((s) => typeof s.run === 'string').map((s) => s.run as string));
}

function gitlabScripts(doc: Obj): string[] {
  return Object.values(doc)
    .filter((v): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v))
    .flatMap((job) => [...(job.before_script ?? []), ...(job.script ?? []), ...(job.after_script ?? [])]);
}

describe('GitHub Actions workflow', () => {
  it('is written to the workflow file and parses back as YAML', () => {
    const { f, file, doc } = render();
    expect(file.path).toBe(f.workflowFile);
    expect(file.path).toBe('.github/workflows/container-security.yml');
    expect(file.mode).toBe(0o644);
    expect(doc.name).toBe('container-security');
    expect(Object.keys(doc.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });

  it('has the lint, build, apparmor, run-hardened and canary jobs', () => {
    const { doc } = render();
    expect(Object.keys(doc.jobs)).toEqual(['lint', 'build', 'apparmor', 'run-hardened', 'canary']);
    for (const name of ['apparmor', 'run-hardened', 'canary']) expect(doc.jobs[name].needs).toEqual(['build']);
    for (const job of Object.values(doc.jobs) as Obj[]) {
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      expect(job['timeout-minutes']).toBeLessThanOrEqual(30);
      expect(job['runs-on']).toMatch(/^ubuntu-/);
    }
  });

  it('pins every action by a 40-hex commit SHA with a version comment', () => {
    const { text, doc } = render();
    const usesLines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    const usesValues = Object.values(doc.jobs).flatMap((j: any) => j.steps.filter((s: Obj) => s.uses).map((s: Obj) => s.uses));
    expect(usesLines.length).toBe(usesValues.length);
    expect(usesLines.length).toBeGreaterThanOrEqual(8);
    for (const line of usesLines) {
      const m = /^\s*(?:- )?uses: ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)@([0-9a-f]{40}) {2}# (v\d+\.\d+\.\d+)$/.exec(line);
      expect(m, line).not.toBeNull();
      const pin = PINNED_ACTIONS.find((a) => a.repo === m![1]);
      expect(pin, line).toBeDefined();
      expect(m![2]).toBe(pin!.sha);
      expect(m![3]).toBe(pin!.version);
    }
    const repos = new Set(usesValues.map((u: string) => u.split('@')[0]));
    expect(repos).toEqual(new Set(['actions/checkout', 'hadolint/hadolint-action', 'actions/upload-artifact', 'actions/download-artifact', 'helm/kind-action']));
  });

  it('grants only read access to the contents and never asks for more', () => {
    const { doc, text } = render();
    expect(doc.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(doc.jobs) as Obj[]) expect(job.permissions).toBeUndefined();
    expect(text).not.toMatch(/: *write\b/);
    expect(text).not.toMatch(/secrets\./);
    expect(doc.concurrency['cancel-in-progress']).toBe(true);
    for (const step of doc.jobs.lint.steps as Obj[]) {
      if (String(step.uses ?? '').startsWith('actions/checkout@')) expect(step.with['persist-credentials']).toBe(false);
    }
  });

  it('runs the container with exactly the documented hardening flags', () => {
    const overrides: Partial<Config> = {
      volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/cache/app', purpose: 'cache' }],
      capAdd: ['NET_BIND_SERVICE'],
      publish: [8080, 8443],
    };
    const { c, f, doc } = render(overrides);
    const expected = hardeningFlags(c, f);
    expect(expected).toContain(`apparmor=${f.apparmorProfile}`);
    const runs = dockerRuns(githubScripts(doc));
    expect(runs.map((r) => r.name)).toEqual([CONTAINERS.complain, CONTAINERS.enforce, CONTAINERS.hardened]);
    for (const run of runs) {
      expect(run.flags).toEqual(expected);
      expect(run.image).toBe(f.image);
    }
    expect(dockerRuns(githubScripts(doc, 'run-hardened'))).toHaveLength(1);
  });

  it('runs the smoke test inside the container and scans the logs for denials', () => {
    const { c, doc } = render();
    const hardened = githubScripts(doc, 'run-hardened').join('\n');
    expect(hardened).toContain(`docker exec -i ${CONTAINERS.hardened} sh -s < ${c.layout.smokeTest}`);
    expect(hardened).toContain('Operation not permitted|SIGSYS|Bad system call');
    const scan = (doc.jobs['run-hardened'].steps as Obj[]).find((s) => String(s.run).includes('grep -nE'))!;
    expect(scan.if).toBe('${{ !cancelled() }}');
  });

  it('loads AppArmor in complain mode, collects ALLOWED lines, then enforces and fails on them', () => {
    const { f, doc } = render();
    const runs = githubScripts(doc, 'apparmor');
    const all = runs.join('\n');
    const complain = all.indexOf(`sudo apparmor_parser -C -r ${f.apparmorFile}`);
    const collect = all.indexOf('apparmor="ALLOWED"');
    const enforce = all.indexOf(`sudo apparmor_parser -r ${f.apparmorFile}`);
    const failOn = all.indexOf('if [ -s apparmor-allowed.log ]');
    expect(complain).toBeGreaterThanOrEqual(0);
    expect(collect).toBeGreaterThan(complain);
    expect(enforce).toBeGreaterThan(collect);
    expect(failOn).toBeGreaterThan(enforce);
    expect(all).toContain(`profile="${f.apparmorProfile}(//[^"]*)?"`);
    expect(all).toMatch(/journalctl -k/);
  });

  it('lints the Dockerfile, the smoke test and both profiles from the configured layout', () => {
    const layout = {
      ...exampleConfig().layout,
      dockerfile: 'docker/Dockerfile.prod',
      smokeTest: 'ci/smoke.sh',
      seccompDir: 'sec/sc',
      apparmorDir: 'sec/aa',
      k8sDir: 'k8s/canary',
    };
    const { doc, f } = render({ layout, arches: ['arm64'] });
    const steps = doc.jobs.lint.steps as Obj[];
    expect(steps.find((s) => String(s.uses).startsWith('hadolint/'))!.with.dockerfile).toBe('docker/Dockerfile.prod');
    const lint = githubScripts(doc, 'lint').join('\n');
    expect(lint).toContain('shellcheck -s sh ci/smoke.sh');
    expect(lint).toContain(`python3 - ${f.seccompFile} aarch64 <<'PY'`);
    expect(f.seccompFile).toBe('sec/sc/web.json');
    expect(lint).toContain('scmp_sys_resolver');
    expect(lint).toContain('apparmor_parser -Q -K -o /dev/null sec/aa/web');
    expect(githubScripts(doc, 'build').join('\n')).toContain('docker build --file docker/Dockerfile.prod --tag web:local .');
    expect(githubScripts(doc, 'canary').join('\n')).toContain('kubectl apply -k k8s/canary');
    expect(githubScripts(doc, 'canary').join('\n')).toContain('sh -s < ci/smoke.sh');
  });

  it('checks seccomp names on every configured architecture', () => {
    const { doc } = render({ arches: ['amd64', 'arm64'] });
    expect(githubScripts(doc, 'lint').join('\n')).toContain('web.json x86_64 aarch64 <<');
  });

  it('installs the seccomp profile where the Deployment looks for it and tears the cluster down', () => {
    const { c, f, doc } = render();
    const deployment = renderK8s(c, f).find((file) => file.path.endsWith('/deployment.yaml'));
    expect(deployment).toBeDefined();
    const obj = parse(deployment!.content) as Obj;
    const localhost = obj.spec.template.spec.securityContext.seccompProfile.localhostProfile as string;
    const canary = githubScripts(doc, 'canary').join('\n');
    expect(canary).toContain(`docker cp ${f.seccompFile} "$node":/var/lib/kubelet/seccomp/${localhost}`);
    expect(canary).toContain(`kind load docker-image ${f.image} --name pyconfine`);
    expect(canary).toContain(`kubectl -n ${c.k8s.namespace} rollout status deployment/${c.name}`);
    expect(canary).toContain(`kubectl -n ${c.k8s.namespace} exec -i deployment/${c.name} -- sh -s < ${c.layout.smokeTest}`);
    expect(canary).toContain("'{.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'");
    expect(canary).toContain(`FROM ${KIND.nodeImage}`);
    const steps = doc.jobs.canary.steps as Obj[];
    const kind = steps.find((s) => String(s.uses).startsWith('helm/kind-action@'))!;
    expect(kind.with.node_image).toBe('pyconfine-kind-node:local');
    expect(kind.with.version).toBe(KIND.version);
    const teardown = steps.at(-1)!;
    expect(teardown.if).toBe('${{ always() }}');
    expect(teardown.run).toContain('kind delete cluster --name pyconfine');
  });

  it('uses the operator path and its resource definitions when k8s.operator is on', () => {
    const { c, f, doc } = render({ k8s: { ...exampleConfig().k8s, operator: true } });
    const canary = githubScripts(doc, 'canary').join('\n');
    expect(canary).toContain(`/var/lib/kubelet/seccomp/operator/${f.apparmorProfile}.json`);
    for (const url of SPO_CRDS) {
      expect(url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/kubernetes-sigs\/security-profiles-operator\/[0-9a-f]{40}\//);
      expect(canary).toContain(url);
    }
    expect(canary).toContain(`kubectl apply -k ${c.layout.k8sDir}`);
  });

  it('copies no seccomp file for runtime-default and omits seccomp steps for seccomp: none', () => {
    const rd = render({ k8s: { ...exampleConfig().k8s, seccomp: 'runtime-default' } });
    expect(githubScripts(rd.doc, 'canary').join('\n')).not.toContain('docker cp');
    const none = render({ seccomp: 'none' });
    const all = githubScripts(none.doc).join('\n');
    expect(all).not.toContain('scmp_sys_resolver');
    expect(all).not.toContain('seccomp=');
    for (const run of dockerRuns(githubScripts(none.doc))) expect(run.flags).toEqual(hardeningFlags(none.c, none.f));
  });

  it('omits the AppArmor job and flag when the AppArmor profile is off or not generated', () => {
    for (const overrides of [
      { apparmor: 'off' },
      { artifacts: ARTIFACTS.filter((a) => a !== 'apparmor') },
    ] as Partial<Config>[]) {
      const { c, f, doc } = render(overrides);
      expect(doc.jobs.apparmor).toBeUndefined();
      const all = githubScripts(doc).join('\n');
      expect(all).not.toContain('apparmor_parser');
      const runs = dockerRuns(githubScripts(doc));
      expect(runs).toHaveLength(1);
      expect(runs[0]!.flags).toEqual(hardeningFlags(c, f, { apparmor: false }));
      expect(runs[0]!.flags.join(' ')).not.toContain('apparmor=');
    }
  });

  it('omits the canary without k8s manifests and the smoke steps without a smoke test', () => {
    const noK8s = render({ artifacts: ARTIFACTS.filter((a) => a !== 'k8s') });
    expect(noK8s.doc.jobs.canary).toBeUndefined();
    expect(Object.keys(noK8s.doc.jobs)).toEqual(['lint', 'build', 'apparmor', 'run-hardened']);
    const noSmoke = render({ artifacts: ARTIFACTS.filter((a) => a !== 'smoke-test') });
    const all = githubScripts(noSmoke.doc).join('\n');
    expect(all).not.toContain('smoke-test.sh');
    expect(all).not.toContain('shellcheck');
    expect(all).toContain('Operation not permitted');
  });

  it('is deterministic', () => {
    const a = render({ volumes: [{ path: '/data', purpose: 'uploads' }] });
    const b = render({ volumes: [{ path: '/data', purpose: 'uploads' }] });
    expect(a.text).toBe(b.text);
    expect(render({ port: 9000, publish: [9000] }).text).not.toBe(a.text);
  });

  it('never aliases shared steps (no YAML anchors)', () => {
    const { text } = render();
    expect(text).not.toMatch(/[&*]a\d+\b/);
  });
});

describe('GitLab CI pipeline', () => {
  it('is written to .gitlab-ci.yml, parses and has the jobs in declared stages', () => {
    const { file, doc } = render({ ci: 'gitlab' });
    expect(file.path).toBe(GITLAB_FILE);
    expect(doc.stages).toEqual(['lint', 'build', 'test']);
    const jobs = Object.entries(doc).filter(([, v]) => typeof v === 'object' && v !== null && 'stage' in (v as Obj));
    expect(jobs.map(([k]) => k)).toEqual(['hadolint', 'lint', 'build', 'run-hardened']);
    for (const [, job] of jobs) {
      expect(doc.stages).toContain((job as Obj).stage);
      expect((job as Obj).script.length).toBeGreaterThan(0);
      expect((job as Obj).timeout).toMatch(/^\d+ minutes$/);
    }
    expect(doc.build.services).toEqual([expect.stringMatching(/^docker:[0-9.]+-dind$/)]);
    expect(doc['run-hardened'].needs).toEqual(['build']);
    expect(doc.build.artifacts.paths).toEqual(['image.tar']);
  });

  it('runs with the documented flags except the AppArmor profile it cannot load', () => {
    const { c, f, doc } = render({ ci: 'gitlab', volumes: [{ path: '/data', purpose: 'uploads' }] });
    const runs = dockerRuns(gitlabScripts(doc));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.flags).toEqual(hardeningFlags(c, f, { apparmor: false }));
    const all = gitlabScripts(doc).join('\n');
    expect(all).toContain(`docker exec -i ${CONTAINERS.hardened} sh -s < ${c.layout.smokeTest}`);
    expect(all).toContain(`apparmor_parser -Q -K -o /dev/null ${f.apparmorFile}`);
    expect(all).toContain('scmp_sys_resolver');
    expect(all).toContain('Operation not permitted|SIGSYS|Bad system call');
    // The log scan must be able to fail the job: after_script cannot.
    expect(doc['run-hardened'].script.join('\n')).toContain('grep -nE');
  });

  it('does not write the GitHub workflow for GitLab (and vice versa)', () => {
    expect(render({ ci: 'gitlab' }).text).not.toContain('uses:');
    expect(render({ ci: 'github' }).doc.stages).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(render({ ci: 'gitlab' }).text).toBe(render({ ci: 'gitlab' }).text);
  });
});

describe('pinned actions', () => {
  it('every pin is a full SHA with a semantic version and a source', () => {
    for (const action of Object.values(ACTIONS)) {
      expect(action.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(action.version).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(action.source).toContain(action.repo);
      expect(action.source).toContain(action.version);
    }
  });
});
