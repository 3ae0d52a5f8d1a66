/**
 * Proof tier, canary manifests: the generated Deployment (with its
 * PersistentVolumeClaims) runs under `podman kube play` with the locally built
 * image, and the pod's security context is checked from inside, as
 * `kubectl exec` would: UID/GID, read-only root, no capabilities, no
 * privilege escalation, the generated seccomp profile, emptyDir and claim
 * mounts, and the app serving its health path.
 *
 * No kube-apiserver, kind or k3s can run here; podman 4.3 is the closest
 * real runtime. What it needs changed in the manifest is stated in the output
 * (see lib/kube.ts).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, VENV_DIR } from '../../src/config/facts.js';
import { loadManifests, playable, type PlayableManifest } from './lib/kube.js';
import { BASE_TAGS } from './lib/paths.js';
import { exec, podman, removeVolumes } from './lib/podman.js';
import { describeResult, sleep } from './lib/proc.js';
import { FORBIDDEN_PROBE, WRITE_PROBE, type ForbiddenResult } from './lib/probes.js';
import { buildImage, generate, type GeneratedProject } from './lib/project.js';
import { Report } from './lib/report.js';

const CASES = [
  { label: 'Django', framework: 'django', args: ['--volume', '/srv/media:media'] },
  { label: 'Flask', framework: 'flask', args: ['--volume', '/data:uploads'] },
  { label: 'FastAPI', framework: 'fastapi', args: ['--volume', '/data:uploads'] },
] as const;

const HEALTH_PY =
  'import sys, urllib.request\nwith urllib.request.urlopen(sys.argv[1], timeout=3) as r:\n    print(r.status, r.read(200).decode(errors="replace"))';

const report = new Report('pyconfine system tier — canary manifests (podman kube play)');
let scratch = '';

beforeAll(async () => {
  const r = await podman(['image', 'exists', BASE_TAGS[2]!], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`base image ${BASE_TAGS[2]} missing: run scripts/system/setup.sh first`);
  scratch = await mkdtemp(join(tmpdir(), 'pyconfine-kube-'));
  report.note('podman 4.3 backs emptyDir with a disk volume: medium: Memory and sizeLimit are not enforced here (a kubelet enforces them)');
  report.note('AppArmor (appArmorProfile) is ignored by podman on this AppArmor-less kernel; it is proven in the qemu guest');
});

afterAll(async () => {
  report.print();
  if (scratch && report.failures() === 0) await rm(scratch, { recursive: true, force: true });
  else if (scratch) console.log(`scratch kept for inspection: ${scratch}`);
});

function lastJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    throw new Error(`${what}: no JSON in:\n${text}`);
  }
}

for (const tc of CASES) {
  describe(tc.label, () => {
    const row = tc.label;
    const tag = `kubetest-${tc.framework}`;
    let p: GeneratedProject | null = null;
    let m: PlayableManifest | null = null;
    let manifestPath = '';
    let container = '';
    let serving = false;

    const need = (): { p: GeneratedProject; m: PlayableManifest } => {
      if (!p || !m || !container) throw new Error('not run: the pod did not start');
      return { p, m };
    };
    const needServing = () => {
      const got = need();
      if (!serving) throw new Error('not run: the app never served inside the pod');
      return got;
    };
    const podStory = async (): Promise<string> => {
      if (!container) return '(no container)';
      const logs = await podman(['logs', '--tail', '40', container], { timeoutMs: 30_000 });
      const st = await podman(['inspect', '--format', '{{.State.Status}} exit={{.State.ExitCode}}', container], { timeoutMs: 30_000 });
      return `container ${container}: ${st.stdout}\n--- logs ---\n${[logs.stdout, logs.stderr].filter(Boolean).join('\n')}`;
    };

    afterAll(async () => {
      if (manifestPath) await podman(['kube', 'down', manifestPath], { timeoutMs: 90_000 });
      if (m) await removeVolumes(...m.claimMounts.map((c) => c.claim));
    });

    it('plays the generated Deployment with the local image', async () => {
      await report.check(row, 'kube play Deployment (+PVC)', async () => {
        const dir = join(scratch, tc.framework);
        p = await generate(dir, ['--framework', tc.framework, '--name', tag, ...tc.args]);
        expect(p.k8sDir, 'deploy/k8s was not generated').not.toBeNull();
        const img = await buildImage(p);
        report.metric(`${row}: image built in ${(img.durationMs / 1000).toFixed(1)} s`);
        m = playable(await loadManifests(p.k8sDir!));
        for (const c of m.changes) report.note(c.replaceAll(tag, '<name>'));
        if (m.skippedKinds.length) report.note(`not playable by podman, checked by the unit/tools tiers: ${[...new Set(m.skippedKinds)].sort().join(', ')}`);
        const image = String(m.deployment['spec']['template']['spec']['containers'][0]['image']);
        expect(image, 'the Deployment runs the image the docs build').toBe(p.image);

        const profileRoot = join(scratch, `${tc.framework}-seccomp-root`);
        await mkdir(profileRoot, { recursive: true });
        expect(m.seccompProfiles.size, 'the Deployment references a Localhost seccomp profile').toBe(1);
        for (const file of m.seccompProfiles.keys()) {
          expect(p.seccompFile, 'the generated seccomp profile').not.toBeNull();
          await copyFile(p.seccompFile!, join(profileRoot, file));
        }
        manifestPath = join(scratch, `${tc.framework}-play.yaml`);
        await writeFile(manifestPath, m.yaml);
        await podman(['kube', 'down', manifestPath], { timeoutMs: 60_000 });
        await removeVolumes(...m.claimMounts.map((c) => c.claim));
        const r = await podman(['kube', 'play', '--network', 'none', '--seccomp-profile-root', profileRoot, manifestPath], { timeoutMs: 120_000 });
        expect(r.exitCode, describeResult(r)).toBe(0);
        const ps = await podman(['ps', '--all', '--format', 'json'], { timeoutMs: 30_000 });
        const entries = JSON.parse(ps.stdout || '[]') as { Names: string[] }[];
        // kube play names a Deployment's pod <deployment>-pod[-<replica>] and its containers <pod>-<container>.
        const re = new RegExp(`^${m.deploymentName}-pod(-\\d+)?-${m.containerName}$`);
        const mine = entries.find((e) => re.test(e.Names[0] ?? ''));
        expect(mine, `no container of pod ${m.deploymentName}-pod* in:\n${ps.stdout}`).toBeDefined();
        container = mine!.Names[0]!;
      });
    }, 360_000);

    it('serves its health path inside the pod', async () => {
      await report.check(row, 'app serves inside the pod', async () => {
        const { p: proj } = need();
        const url = `http://127.0.0.1:${String(proj.config['port'] ?? 8000)}${proj.healthPath}`;
        const deadline = Date.now() + 60_000;
        let last = await exec(container, ['python', '-c', HEALTH_PY, url]);
        while (last.exitCode !== 0 && Date.now() < deadline) {
          await sleep(500);
          last = await exec(container, ['python', '-c', HEALTH_PY, url]);
        }
        expect(last.exitCode, `${describeResult(last)}\n${await podStory()}`).toBe(0);
        expect(last.stdout).toMatch(/^200 /);
        serving = true;
      });
    }, 90_000);

    it('runs as the configured UID/GID with no capabilities, no-new-privileges and seccomp', async () => {
      await report.check(row, 'uid/gid, Cap*=0, NoNewPrivs=1, Seccomp=2', async () => {
        const { p: proj } = needServing();
        const r = await exec(container, ['cat', '/proc/1/status']);
        expect(r.exitCode, describeResult(r)).toBe(0);
        const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(r.stdout)?.[1]?.trim() ?? '(absent)';
        for (const k of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(field(k), `${k}\n${r.stdout}`).toBe('0000000000000000');
        expect(field('NoNewPrivs'), 'allowPrivilegeEscalation: false').toBe('1');
        expect(field('Seccomp')).toBe('2');
        expect(field('Uid').split(/\s+/)).toEqual(Array(4).fill(String(proj.uid)));
        expect(field('Gid').split(/\s+/)).toEqual(Array(4).fill(String(proj.gid)));
      });
    }, 60_000);

    it('enforces the generated seccomp profile, not the runtime default', async () => {
      await report.check(row, 'generated seccomp profile in force', async () => {
        needServing();
        // podman's default profile allows ptrace (kernel >= 4.8) and unshare of a user
        // namespace; the generated strict profile allows neither. Seccomp: 2 alone
        // cannot tell the two apart.
        const r = await exec(container, ['python', '-c', FORBIDDEN_PROBE]);
        expect(r.exitCode, describeResult(r)).toBe(0);
        const { ops } = lastJson<ForbiddenResult>(r.stdout, 'forbidden probe');
        const succeeded = Object.entries(ops).filter(([, o]) => o.ok).map(([op]) => op);
        expect(succeeded, `forbidden operations that SUCCEEDED in the pod: ${JSON.stringify(ops)}`).toEqual([]);
        expect(ops['ptrace']?.error, 'ptrace refused by the profile').toBe('EPERM');
      });
    }, 60_000);

    it('read-only root; emptyDir and claim mounts writable', async () => {
      await report.check(row, 'read-only root, emptyDir+PVC writable', async () => {
        const { m: man } = needServing();
        const writable = [...man.emptyDirMounts, ...man.claimMounts.map((c) => c.path)];
        expect(man.emptyDirMounts, 'the Deployment gives /tmp an emptyDir').toContain('/tmp');
        const r = await exec(container, ['python', '-c', WRITE_PROBE, ...writable, APP_DIR, VENV_DIR, '/', '/etc', '/usr']);
        expect(r.exitCode, describeResult(r)).toBe(0);
        const w = lastJson<{ paths: Record<string, { ok: boolean; error: string }>; writableMounts: string[] }>(r.stdout, 'write probe');
        for (const dir of writable) expect(w.paths[dir], `write in ${dir}`).toEqual({ ok: true, error: '' });
        for (const dir of [APP_DIR, VENV_DIR, '/', '/etc', '/usr']) expect(w.paths[dir]?.ok, `write in ${dir}: ${JSON.stringify(w.paths[dir])}`).toBe(false);
        for (const dir of writable) expect(w.writableMounts, `${dir} is its own mount, not the root filesystem`).toContain(dir);
        const mi = await exec(container, ['cat', '/proc/self/mountinfo']);
        const root = mi.stdout.split('\n').find((l) => l.split(' ')[4] === '/');
        expect(root?.split(' ')[5], `root mount options: ${root}`).toMatch(/(^|,)ro(,|$)/);
      });
    }, 60_000);

    it('the generated smoke test passes inside the pod', async () => {
      await report.check(row, 'generated smoke test in the pod', async () => {
        const { p: proj } = needServing();
        expect(proj.smokeTest, 'security/smoke-test.sh was not generated').not.toBeNull();
        const r = await podman(['exec', '-i', container, 'sh', '-s'], { inputFile: proj.smokeTest!, timeoutMs: 90_000 });
        expect(r.stdout.split('\n').filter((l) => l.startsWith('FAIL')), describeResult(r)).toEqual([]);
        expect(r.exitCode, describeResult(r)).toBe(0);
        const summary = r.stdout.split('\n').filter((l) => /passed|failed/.test(l)).at(-1);
        if (summary) report.note(`${row}: ${summary.trim()}`);
      });
    }, 120_000);

    if (tc.framework === 'flask') {
      it('control: without the seccomp translation the probe sees podman\'s default profile', async () => {
        await report.check(row, 'control: no annotation → ptrace allowed', async () => {
          const { p: proj } = needServing();
          // Tear the real pod down and play the same manifest without the annotation:
          // ptrace must now succeed, so "generated seccomp profile in force" can fail.
          await podman(['kube', 'down', manifestPath], { timeoutMs: 90_000 });
          const control = playable(await loadManifests(proj.k8sDir!), { translateSeccomp: false });
          await removeVolumes(...control.claimMounts.map((c) => c.claim));
          const controlPath = join(scratch, `${tc.framework}-control.yaml`);
          await writeFile(controlPath, control.yaml);
          const r = await podman(['kube', 'play', '--network', 'none', controlPath], { timeoutMs: 120_000 });
          expect(r.exitCode, describeResult(r)).toBe(0);
          try {
            const probe = await exec(container, ['python', '-c', FORBIDDEN_PROBE]);
            expect(probe.exitCode, describeResult(probe)).toBe(0);
            const { ops } = lastJson<ForbiddenResult>(probe.stdout, 'forbidden probe');
            expect(ops['ptrace']?.ok, `ptrace under podman's default profile: ${JSON.stringify(ops['ptrace'])}`).toBe(true);
            report.note(`${row}: control without the annotation: ptrace=${ops['ptrace']?.ok ? 'SUCCEEDED' : ops['ptrace']?.error} (the check can fail)`);
          } finally {
            await podman(['kube', 'down', controlPath], { timeoutMs: 90_000 });
            await removeVolumes(...control.claimMounts.map((c) => c.claim));
          }
        });
      }, 180_000);
    }
  });
}
