/**
 * The generated AppArmor profiles, enforced by a real AppArmor kernel.
 *
 * The host kernel has no AppArmor, so one qemu guest (Debian's 6.1 kernel, TCG,
 * see scripts/system/guest/) boots once for all cases. For Django, Flask and
 * FastAPI with their default servers, `pyconfine init` generates a project;
 * the guest puts its build context at /app as the Dockerfile would, loads the
 * generated profile, starts the Dockerfile's CMD with its ENV under
 * `aa-exec -p <profile>`, and checks, as root so that only AppArmor can explain
 * a refusal (each denial next to an unconfined control that succeeds):
 *   - the app serves its HEALTHCHECK URL, and its processes carry the profile;
 *   - the declared volume and /tmp are writable;
 *   - writing /app, running a binary dropped in a writable path, reading
 *     /etc/shadow and opening a raw socket fail, each with an
 *     apparmor="DENIED" record naming the operation and the file;
 *   - after `apparmor_parser -C -r` (complain mode, relabelling the running
 *     server) the same operations succeed and are logged apparmor="ALLOWED";
 *   - the server stops on SIGTERM, and no other AppArmor record appears.
 * Two deliberately broken variants of the Flask profile prove the harness
 * reports a failure when a profile is wrong.
 *
 * Needs root (debootstrap, apt-get); scripts/system/guest/prepare.sh installs
 * and caches everything (≈ 1–2 min fresh, < 1 s cached), one boot ≈ 1–2 min.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { TMP_DIRS } from '../../src/config/facts.js';
import {
  CONSOLE_LOG,
  REPO,
  bootGuest,
  expectedChecks,
  failureReport,
  formatTable,
  parseGuestOutput,
  prepareGuest,
  stageCase,
  writeManifest,
  type GuestCase,
  type GuestReport,
  type GuestRun,
} from './guest-lib/guest.js';
import { breakProfile } from './guest-lib/variants.js';

const FRAMEWORKS = ['django', 'flask', 'fastapi'] as const;
const VOLUME = { path: '/data', purpose: 'uploads' };
const WRITABLE = [VOLUME.path, ...TMP_DIRS];
const CLI = path.join(REPO, 'bin/pyconfine.js');

const isRoot = process.getuid?.() === 0;
// CI must never skip this tier: there, not being root is a failure.
if (process.env['CI'] && !isRoot) throw new Error('the AppArmor guest tier needs root in CI');

/** Negative controls: a broken copy of the Flask profile and the checks it must fail. */
const VARIANTS = [
  { id: 'flask-no-volume-rule', kind: 'drop-volume-allow', mustFail: [`enforce:write:${VOLUME.path}`] },
  { id: 'flask-app-writable', kind: 'allow-app-writes', mustFail: ['enforce:create:/app', 'enforce:modify:/app'] },
] as const;

describe.skipIf(!isRoot)('AppArmor: generated profiles enforced in a qemu guest (needs root)', () => {
  let work: string;
  const cases = new Map<string, GuestCase>();
  let run: GuestRun;
  let report: GuestReport;

  beforeAll(async () => {
    const prep = await prepareGuest();
    if (!existsSync(path.join(REPO, 'dist/cli.js'))) throw new Error('dist/cli.js missing: run `npm run build` first');
    work = mkdtempSync(path.join(tmpdir(), 'pyconfine-apparmor-'));
    const stage = path.join(work, 'stage');

    // 1. Generate one project per framework, exactly as a user would.
    for (const fw of FRAMEWORKS) {
      const dir = path.join(work, fw);
      const name = `${fw}app`;
      await execa('node', [CLI, 'init', '--yes', '--framework', fw, '--name', name,
        '--volume', `${VOLUME.path}:${VOLUME.purpose}`, '--dir', dir], { cwd: work });
      const c = stageCase(stage, {
        id: fw,
        projectDir: dir,
        profilePath: `security/apparmor/${name}`,
        writable: WRITABLE,
      });
      expect(c.profileName).toBe(`pyconfine-${name}`);
      cases.set(fw, c);
    }
    // 2. The negative controls: probes only, on a broken copy of the Flask profile.
    const flask = cases.get('flask')!;
    for (const v of VARIANTS) {
      const text = breakProfile(path.join(stage, flask.profileFile), v.kind, { volume: VOLUME.path, appDir: flask.appDir });
      cases.set(v.id, stageCase(stage, {
        id: v.id,
        projectDir: path.join(work, 'flask'),
        profilePath: 'security/apparmor/flaskapp',
        profileText: text,
        writable: WRITABLE,
        serve: false,
        complain: false,
        build: false,
      }));
    }
    writeManifest(stage, [...cases.values()]);

    // 3. One boot for everything.
    run = await bootGuest(stage);
    report = parseGuestOutput(run.output);
    const ids = [...cases.keys()];
    const checks = [...new Set([...cases.values()].flatMap(expectedChecks))];
    console.log(
      `AppArmor guest: prepare ${prep.seconds.toFixed(1)} s, boot ${run.seconds.toFixed(1)} s (exit ${run.exitCode}); ` +
        ids.map((id) => `${id} ${report.cases.get(id)?.seconds ?? '?'} s`).join(', ') +
        `\n${formatTable(report, ids, checks)}`,
    );
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('boots once, runs every case and powers off', () => {
    const tail = `(full console: ${CONSOLE_LOG})\n${run.output.split('\n').slice(-60).join('\n')}`;
    expect(run.timedOut, `guest timed out; console tail:\n${tail}`).toBe(false);
    expect(report.started, `guest never started the driver; console tail:\n${tail}`).toBe(true);
    expect(report.done, `driver did not finish; console tail:\n${tail}`).toBe(true);
    expect(run.exitCode, `qemu exit status; console tail:\n${tail}`).toBe(0);
    expect(report.duplicates).toEqual([]);
    for (const id of cases.keys()) expect(report.cases.get(id)?.ended, `case ${id} did not end`).toBe(true);
  });

  it.each(FRAMEWORKS)('%s: serves, writes only where declared, and every forbidden operation is DENIED', (fw) => {
    const c = cases.get(fw)!;
    const results = report.cases.get(fw)?.results;
    const failing = expectedChecks(c).filter((check) => results?.get(check)?.pass !== true);
    expect(failing, failureReport(report, c, failing)).toEqual([]);
  });

  it.each(VARIANTS)('negative control $id: the broken profile fails $mustFail', (v) => {
    const c = cases.get(v.id)!;
    const results = report.cases.get(v.id)?.results;
    // The harness itself worked: the profile loaded and the probes ran confined.
    const sane = ['profile-load', 'enforce-mode', 'enforce:probe-confined', 'control:unconfined'];
    const insane = sane.filter((check) => results?.get(check)?.pass !== true);
    expect(insane, failureReport(report, c, insane)).toEqual([]);
    for (const check of v.mustFail) {
      const r = results?.get(check);
      expect(r, `${v.id}: ${check} not reported`).toBeDefined();
      expect(r!.pass, `${v.id}: ${check} should FAIL with the broken profile: ${r!.detail}`).toBe(false);
    }
    // Everything the break does not touch still passes.
    const untouched = expectedChecks(c).filter(
      (check) => check.startsWith('enforce') && !(v.mustFail as readonly string[]).some((m) => check.endsWith(m.replace(/^enforce:/, ''))),
    );
    const unexpected = untouched.filter((check) => results?.get(check)?.pass !== true);
    expect(unexpected, failureReport(report, c, unexpected)).toEqual([]);
  });
});
