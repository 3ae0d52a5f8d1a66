/**
 * Proof tier, containers: every framework's generated setup is built from its
 * unmodified Dockerfile and run under podman + runc with exactly the flags
 * its SECURITY-RUNTIME.md documents, then probed from the host and from
 * inside. Negative controls show the checks can fail, and a SCMP_ACT_LOG run
 * under auditd measures how tight the strict seccomp profile is.
 *
 * Needs root and `scripts/system/setup.sh` (run by `npm run test:system`).
 *
 * Per framework, in order:
 *   1. generate with `init --yes` (minimal app, one or two declared volumes)
 *   2. build the generated Dockerfile as is (offline, local base image)
 *   3. tightness: run under a log-everything copy of the profile while auditd
 *      records every system call; drive the same traffic as step 4
 *   4. enforcement: run with the documented flags; health from the host,
 *      /proc status, writes, forbidden operations, HEALTHCHECK, egress, the
 *      generated smoke test, SIGTERM
 *   5. negative controls: the profile without socket/bind, and the profile
 *      without one system call the server needs, must make it fail
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, VENV_DIR } from '../../src/config/facts.js';
import { AuditLog, type SyscallUse } from './lib/audit.js';
import { flagValues, toPodmanRun } from './lib/docs.js';
import { startEgressStub, STUB_ADDRESS, type EgressStub } from './lib/egress.js';
import { httpGet, waitForHttp } from './lib/http.js';
import { BASE_TAGS, CLI } from './lib/paths.js';
import {
  containerStory,
  exec,
  podman,
  removeContainers,
  removeVolumes,
  state,
  waitExited,
} from './lib/podman.js';
import { describeResult, run } from './lib/proc.js';
import {
  EGRESS_PROBE,
  FORBIDDEN_OPS,
  FORBIDDEN_PROBE,
  FORBIDDEN_SYSCALLS,
  WRITE_PROBE,
  type ForbiddenResult,
  type OpOutcome,
} from './lib/probes.js';
import { buildImage, freePort, generate, type GeneratedProject } from './lib/project.js';
import { Report } from './lib/report.js';
import { allowedSyscalls, logEverything, withoutSyscalls } from './lib/seccomp.js';

interface Case {
  readonly label: string;
  readonly framework: 'django' | 'flask' | 'fastapi';
  /** Extra `init` answers (the server is each framework's default). */
  readonly args: readonly string[];
  /** Whether the configuration allows outbound DNS + TCP. */
  readonly egress: boolean;
}

const CASES: readonly Case[] = [
  { label: 'Django', framework: 'django', args: ['--volume', '/srv/media:media'], egress: false },
  { label: 'Flask', framework: 'flask', args: ['--volume', '/data:uploads'], egress: false },
  {
    label: 'FastAPI',
    framework: 'fastapi',
    args: ['--volume', '/data:uploads', '--volume', '/var/cache/app:cache', '--egress', 'dns-tcp'],
    egress: true,
  },
];

/** Mount points the runtime itself makes world-writable (IPC): not app paths, reported separately. */
const RUNTIME_IPC_MOUNTS = ['/dev/shm', '/dev/mqueue'];
/** Directories that must refuse writes besides the app and the venv. */
const READ_ONLY_DIRS = ['/', '/etc', '/usr', '/var/tmp', '/run', '/root'];
/** How long a negative control may keep trying before its failure counts as observed. */
const NEGATIVE_WINDOW_MS = 15_000;
/** The system call the "strict minus one" control removes: both servers accept connections through it. */
const NEEDED_SYSCALL = 'accept4';
/** Target for allowed / used of the strict profile. */
const MAX_RATIO = 2.0;
/** Name the egress check resolves; only the local stub DNS server knows it. */
const EGRESS_HOST = 'egress.pyconfine.test';

const report = new Report('pyconfine system tier — containers (podman + runc)');
let scratch = '';
let audit: AuditLog | null = null;

beforeAll(async () => {
  const missing: string[] = [];
  for (const tag of BASE_TAGS) {
    const r = await podman(['image', 'exists', tag], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) missing.push(tag);
  }
  if (missing.length) throw new Error(`base image tags missing (${missing.join(', ')}): run scripts/system/setup.sh first`);
  const cli = await run(process.execPath, [CLI, '--version'], { timeoutMs: 30_000 });
  if (cli.exitCode !== 0) throw new Error(`the built CLI does not run (npm run build first)\n${describeResult(cli)}`);
  scratch = await mkdtemp(join(tmpdir(), 'pyconfine-system-'));
  audit = await AuditLog.start(join(scratch, 'audit'));
  report.note('base image: Debian bookworm (Python 3.11) tagged python:3.10/3.11/3.12/3.13-slim — no registry here');
  report.note(`audit log: ${audit.logFile}`);
});

afterAll(async () => {
  await audit?.stop();
  report.print();
  if (scratch && report.failures() === 0) await rm(scratch, { recursive: true, force: true });
  else if (scratch) console.log(`scratch kept for inspection: ${scratch}`);
});

function opSummary(ops: Record<string, OpOutcome>): string {
  return Object.entries(ops)
    .map(([op, o]) => `${op}=${o.ok ? 'SUCCEEDED' : o.error || `errno ${o.errno}`}`)
    .join(' ');
}

function parseJson<T>(text: string, what: string): T {
  const line = text.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${what}: no JSON in the probe's output:\n${text}`);
  }
}

for (const tc of CASES) {
  describe(tc.label, () => {
    const row = tc.label;
    const tag = `systest-${tc.framework}`;
    let p: GeneratedProject | null = null;
    let built = false;
    /** The image's HEALTHCHECK command as exec argv (podman's timers need systemd, so it is run by hand). */
    let healthcheckArgv: string[] = [];
    let started = false;
    let stub: EgressStub | null = null;
    const containers: string[] = [];
    /** Syscalls the log-everything run saw but the strict profile does not allow. */
    let wouldDeny: string[] | null = null;

    const need = (): GeneratedProject => {
      if (!p || !built) throw new Error('not run: generating or building the project failed earlier');
      return p;
    };
    const ctr = (suffix: string): string => {
      const name = `${tag}-${suffix}-${process.pid}`;
      if (!containers.includes(name)) containers.push(name);
      return name;
    };
    const main = (): string => ctr('main');
    const alive = (name: string) => async (): Promise<boolean> => (await state(name))?.running ?? false;
    const healthUrl = (port: number): string => `http://127.0.0.1:${port}${need().healthPath}`;
    /** Container logs plus what the log-everything run says the profile would deny. */
    const story = async (name: string): Promise<string> => {
      const denied = wouldDeny === null ? 'not measured' : wouldDeny.length ? wouldDeny.join(', ') : 'none';
      return `${await containerStory(name)}\n--- syscalls used under SCMP_ACT_LOG but absent from the allowlist: ${denied}`;
    };
    const dnsExtra = (): string[] => (tc.egress ? ['--dns', STUB_ADDRESS] : []);
    /** One stub per container: it lives in that container's network namespace. */
    const restartStub = async (name: string): Promise<EgressStub> => {
      await stub?.close();
      stub = null;
      return startEgressStub(name);
    };

    /** Start a container from the documented command (with per-run replacements). */
    const start = async (name: string, opts: { seccompPath?: string; hostPort?: number } = {}) => {
      const proj = need();
      await removeContainers(name);
      const pr = toPodmanRun(proj.runArgv, { name, ...opts, extra: dnsExtra() });
      const r = await podman(pr.argv, { cwd: proj.dir, timeoutMs: 90_000 });
      return { pr, r };
    };

    /** The same traffic for the tightness run and the enforcement run. */
    const traffic = async (name: string, port: number) => {
      const proj = need();
      const results = { health: 0, healthcheck: null as null | Awaited<ReturnType<typeof podman>> };
      for (let i = 0; i < 20; i++) if ((await httpGet(healthUrl(port))).ok) results.health++;
      results.healthcheck = await exec(name, healthcheckArgv, { timeoutMs: 30_000 });
      const writeTargets = [...proj.volumes.map((v) => v.path), ...proj.tmpfs, APP_DIR, VENV_DIR, ...READ_ONLY_DIRS];
      const writes = await exec(name, ['python', '-c', WRITE_PROBE, ...writeTargets]);
      const forbidden = await exec(name, ['python', '-c', FORBIDDEN_PROBE]);
      const statusPid1 = await exec(name, ['cat', '/proc/1/status']);
      const statusSelf = await exec(name, ['cat', '/proc/self/status']);
      const egress = tc.egress && stub ? await exec(name, ['python', '-c', EGRESS_PROBE, EGRESS_HOST, String(stub.tcpPort)]) : null;
      const smoke = proj.smokeTest
        ? await podman(
            ['exec', '-i', ...(tc.egress && stub ? ['-e', `SMOKE_EGRESS_TARGET=${EGRESS_HOST}:${stub.tcpPort}`] : []), name, 'sh', '-s'],
            { inputFile: proj.smokeTest, timeoutMs: 90_000 },
          )
        : null;
      return { ...results, writes, forbidden, statusPid1, statusSelf, egress, smoke };
    };
    let enforced: Awaited<ReturnType<typeof traffic>> | null = null;

    afterAll(async () => {
      await stub?.close();
      await removeContainers(...containers);
      if (p) await removeVolumes(...p.volumes.map((v) => v.name));
    });

    it('generate', async () => {
      await report.check(row, 'generate (init --yes)', async () => {
        const port = await freePort();
        const dir = join(scratch, tc.framework);
        p = await generate(dir, ['--framework', tc.framework, '--name', tag, '--publish', String(port), ...tc.args]);
        expect(p.hostPort).toBe(port);
        expect(p.seccomp, 'the default (strict) configuration must produce a seccomp profile').not.toBeNull();
        expect(p.volumes.length).toBeGreaterThan(0);
        expect(p.volumes.every((v) => !v.name.startsWith('/')), 'declared volumes must be named volumes').toBe(true);
      });
    }, 90_000);

    it('builds the unmodified Dockerfile offline', async () => {
      await report.check(row, 'build (unmodified Dockerfile)', async () => {
        if (!p) throw new Error('not run: generation failed');
        const img = await buildImage(p);
        expect(img.user, 'the image runs as the configured numeric user').toBe(`${p.uid}:${p.gid}`);
        healthcheckArgv = img.healthcheckArgv;
        report.metric(`${row}: image built in ${(img.durationMs / 1000).toFixed(1)} s`);
        built = true;
      });
    }, 330_000);

    it('measures seccomp tightness under SCMP_ACT_LOG with auditd', async () => {
      await report.check(row, `tightness allowed/used <= ${MAX_RATIO}`, async () => {
        const proj = need();
        if (!audit) throw new Error('auditd is not available');
        const profilePath = join(scratch, `${tag}-log-everything.json`);
        await writeFile(profilePath, JSON.stringify(logEverything(proj.seccomp!), null, 2));
        const name = ctr('log');
        const port = await freePort();
        const lostBefore = await audit.lost();
        const offset = await audit.mark();
        const { r } = await start(name, { seccompPath: profilePath, hostPort: port });
        expect(r.exitCode, describeResult(r)).toBe(0);
        const up = await waitForHttp(healthUrl(port), 60_000, alive(name));
        if (!up.outcome.ok) throw new Error(`the app never served under the log-everything profile\n${await containerStory(name)}`);
        if (tc.egress) stub = await restartStub(name);
        const t = await traffic(name, port);
        const stop = await podman(['stop', '-t', '10', name], { timeoutMs: 40_000 });
        expect(stop.exitCode, describeResult(stop)).toBe(0);
        const lines = await audit.linesSince(offset);
        const lost = (await audit.lost()) - lostBefore;
        expect(t.forbidden.exitCode, describeResult(t.forbidden)).toBe(0);
        // The probe's deliberate attacks are not needs; everything else it does (start Python) is.
        // Only `python -c` probes run as `python`; the servers show up as gunicorn/uvicorn, runc as runc:[2:INIT].
        const used = await audit.seccompSyscalls(lines, proj.uid, (rec) => rec.comm === 'python' && FORBIDDEN_SYSCALLS.includes(rec.name));
        const allowed = allowedSyscalls(proj.seccomp!);
        wouldDeny = used.map((u) => u.name).filter((n) => !allowed.includes(n));
        const ratio = allowed.length / Math.max(used.length, 1);
        report.metric(
          `${row}: strict profile allowed / used = ${allowed.length} / ${used.length} = ${ratio.toFixed(2)}` +
            ` (target <= ${MAX_RATIO}; ${lines.filter((l) => l.startsWith('type=SECCOMP')).length} audit records, ${lost} lost)`,
        );
        report.metric(`${row}: used: ${used.map((u: SyscallUse) => u.name).join(' ')}`);
        if (wouldDeny.length) report.metric(`${row}: used but not allowed by the strict profile: ${wouldDeny.join(' ')}`);
        const unused = allowed.filter((n) => !used.some((u) => u.name === n));
        report.metric(`${row}: allowed but not used in this run: ${unused.length ? unused.join(' ') : 'none'}`);
        expect(t.health, 'traffic: health requests answered under the log-everything profile').toBeGreaterThan(0);
        expect(lost, 'the kernel dropped audit records during the run; the used set would be incomplete').toBe(0);
        expect(used.length, `no SECCOMP audit records for uid ${proj.uid}: is auditd receiving seccomp logs?`).toBeGreaterThan(20);
        expect(ratio, `strict profile allows ${allowed.length} syscalls, the app used ${used.length}`).toBeLessThanOrEqual(MAX_RATIO);
      });
    }, 240_000);

    it('serves its health path from the host under the documented flags', async () => {
      await report.check(row, 'health from host (127.0.0.1)', async () => {
        const proj = need();
        const name = main();
        await removeVolumes(...proj.volumes.map((v) => v.name));
        const { pr, r } = await start(name);
        for (const c of pr.changes) report.note(c);
        if (tc.egress) report.note(`${row}: added --dns ${STUB_ADDRESS}: the egress check's DNS query goes to a stub resolver inside the container's own network namespace`);
        expect(r.exitCode, `podman ${pr.argv.join(' ')}\n${describeResult(r)}`).toBe(0);
        started = true;
        const up = await waitForHttp(healthUrl(proj.hostPort), 60_000, alive(name));
        if (!up.outcome.ok) {
          throw new Error(`GET ${healthUrl(proj.hostPort)} never answered 200 (last: ${up.outcome.error ?? up.outcome.status})\n${await story(name)}`);
        }
        report.metric(`${row}: first HTTP 200 from the host ${up.elapsedMs} ms after podman run returned`);
        if (tc.egress) stub = await restartStub(name);
        enforced = await traffic(name, proj.hostPort);
        expect(enforced.health, `20 health requests from the host\n${await story(name)}`).toBe(20);
      });
    }, 180_000);

    const needRun = () => {
      if (!started || !enforced) throw new Error('not run: the container did not start');
      return enforced;
    };

    it('every process is non-root, capability-free, seccomp-filtered, no-new-privileges', async () => {
      await report.check(row, 'Cap*=0 Seccomp=2 NoNewPrivs=1 uid/gid', async () => {
        const proj = need();
        const t = needRun();
        for (const [label, r] of [['/proc/1/status', t.statusPid1], ['/proc/self/status (podman exec)', t.statusSelf]] as const) {
          expect(r.exitCode, describeResult(r)).toBe(0);
          const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(r.stdout)?.[1]?.trim() ?? '(absent)';
          const msg = `${label}:\n${r.stdout}`;
          for (const k of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(field(k), `${k} in ${msg}`).toBe('0000000000000000');
          expect(field('Seccomp'), msg).toBe('2');
          expect(field('NoNewPrivs'), msg).toBe('1');
          expect(field('Uid').split(/\s+/), msg).toEqual(Array(4).fill(String(proj.uid)));
          expect(field('Gid').split(/\s+/), msg).toEqual(Array(4).fill(String(proj.gid)));
        }
        // Every process in the container, not only PID 1 (the init) and the exec'd one.
        const all = await exec(main(), [
          'python', '-c',
          'import glob, json\nout = {}\nfor p in glob.glob("/proc/[0-9]*/status"):\n    try:\n        d = dict(l.split(":", 1) for l in open(p).read().splitlines() if ":" in l)\n    except OSError:\n        continue\n    out[p.split("/")[2]] = {k: " ".join(d.get(k, "").split()) for k in ("Name", "Uid", "Gid", "CapEff", "CapBnd", "Seccomp", "NoNewPrivs")}\nprint(json.dumps(out))',
        ]);
        const procs = parseJson<Record<string, Record<string, string>>>(all.stdout, 'process scan');
        expect(Object.keys(procs).length, 'init, server and workers').toBeGreaterThanOrEqual(3);
        for (const [pid, s] of Object.entries(procs)) {
          const msg = `pid ${pid} (${s['Name']}): ${JSON.stringify(s)}`;
          expect(s['Uid'], msg).toBe(Array(4).fill(String(proj.uid)).join(' '));
          expect(s['CapEff'], msg).toBe('0000000000000000');
          expect(s['CapBnd'], msg).toBe('0000000000000000');
          expect(s['Seccomp'], msg).toBe('2');
          expect(s['NoNewPrivs'], msg).toBe('1');
        }
      });
    }, 60_000);

    it('writes succeed only in the declared volumes and tmp dirs', async () => {
      await report.check(row, 'writes: volumes+/tmp ok, rest refused', async () => {
        const proj = need();
        const t = needRun();
        expect(t.writes.exitCode, describeResult(t.writes)).toBe(0);
        const w = parseJson<{ paths: Record<string, { ok: boolean; error: string }>; writableMounts: string[] }>(t.writes.stdout, 'write probe');
        const writable = [...proj.volumes.map((v) => v.path), ...proj.tmpfs];
        for (const dir of writable) expect(w.paths[dir], `write in ${dir} (declared writable): ${JSON.stringify(w.paths[dir])}`).toEqual({ ok: true, error: '' });
        for (const dir of [APP_DIR, VENV_DIR, ...READ_ONLY_DIRS]) {
          expect(w.paths[dir]?.ok, `write in ${dir} must fail: ${JSON.stringify(w.paths[dir])}`).toBe(false);
        }
        const unexpected = w.writableMounts.filter((m) => !writable.includes(m) && !RUNTIME_IPC_MOUNTS.includes(m));
        expect(unexpected, `mount points writable by uid ${proj.uid} beyond the declared ones`).toEqual([]);
        const ipc = w.writableMounts.filter((m) => RUNTIME_IPC_MOUNTS.includes(m));
        if (ipc.length) report.note(`writable runtime IPC mounts not covered by the documented flags: ${ipc.join(', ')} (noexec,nosuid,nodev; Docker mounts them too)`);
        report.note(`${row}: refused writes: ${[APP_DIR, VENV_DIR, ...READ_ONLY_DIRS].map((d) => `${d} ${w.paths[d]?.error}`).join(', ')}`);
      });
    }, 60_000);

    it('mount, unshare, ptrace, raw sockets, setuid/setgid and chroot all fail', async () => {
      await report.check(row, 'forbidden ops fail (ctypes probe)', async () => {
        const t = needRun();
        expect(t.forbidden.exitCode, describeResult(t.forbidden)).toBe(0);
        const { ops } = parseJson<ForbiddenResult>(t.forbidden.stdout, 'forbidden probe');
        expect(Object.keys(ops).sort()).toEqual([...FORBIDDEN_OPS].sort());
        const succeeded = Object.entries(ops).filter(([, o]) => o.ok).map(([op]) => op);
        expect(succeeded, `forbidden operations that SUCCEEDED: ${opSummary(ops)}`).toEqual([]);
        report.note(`${row}: forbidden ops → ${opSummary(ops)}`);
      });
    }, 60_000);

    it("the image's HEALTHCHECK passes under the profile", async () => {
      await report.check(row, "image's HEALTHCHECK command passes", async () => {
        const t = needRun();
        const r = t.healthcheck!;
        expect(r.exitCode, `${describeResult(r)}\n${await story(main())}`).toBe(0);
      });
    }, 60_000);

    if (tc.egress) {
      it('outbound DNS + TCP work when egress is configured', async () => {
        await report.check(row, 'egress DNS+TCP (local stub)', async () => {
          const t = needRun();
          const r = t.egress!;
          expect(r.exitCode, describeResult(r)).toBe(0);
          const out = parseJson<{ dns?: { address: string }; tcp?: { reply: string }; error?: string }>(r.stdout, 'egress probe');
          expect(out.error, `egress probe: ${r.stdout}\n${await story(main())}`).toBeUndefined();
          expect(out.dns?.address).toBe(STUB_ADDRESS);
          expect(out.tcp?.reply).toBe('pong\n');
          expect(stub?.questions, 'the lookup reached the stub resolver').toContain(EGRESS_HOST);
        });
      }, 60_000);
    }

    it('the generated smoke test passes inside the container', async () => {
      await report.check(row, 'generated smoke test inside', async () => {
        const proj = need();
        const t = needRun();
        expect(proj.smokeTest, 'security/smoke-test.sh was not generated').not.toBeNull();
        const r = t.smoke!;
        const failures = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
        expect(failures, describeResult(r)).toEqual([]);
        expect(r.exitCode, describeResult(r)).toBe(0);
        expect(r.stdout).toMatch(/^PASS /m);
        if (tc.egress) expect(r.stdout, 'the smoke test ran its egress check').toMatch(/^PASS egress/m);
        const summary = r.stdout.split('\n').filter((l) => /passed|failed/.test(l)).at(-1);
        if (summary) report.note(`${row}: ${summary.trim()}`);
      });
    }, 120_000);

    it('SIGTERM stops it cleanly within the stop timeout', async () => {
      await report.check(row, 'SIGTERM → clean exit < stop timeout', async () => {
        const proj = need();
        needRun();
        const name = main();
        const timeout = Number(flagValues(proj.run, '--stop-timeout')[0] ?? '10');
        const before = await state(name);
        expect(before?.running, await story(name)).toBe(true);
        const t0 = Date.now();
        const r = await podman(['stop', '-t', String(timeout), name], { timeoutMs: (timeout + 30) * 1000 });
        const ms = Date.now() - t0;
        const after = await waitExited(name, 5_000);
        report.metric(`${row}: podman stop -t ${timeout} took ${ms} ms, exit code ${after?.exitCode}`);
        expect(r.exitCode, describeResult(r)).toBe(0);
        expect(r.stderr, 'podman had to escalate to SIGKILL').not.toMatch(/SIGKILL/);
        // Both gunicorn and uvicorn trap SIGTERM and shut down gracefully, and
        // the init forwards the signal and returns the server's status: 0 is
        // the only clean result. 143 would mean SIGTERM killed the server
        // before its handler ran; 137 means the runtime had to SIGKILL it.
        expect(after?.exitCode, await story(name)).toBe(0);
        expect(ms, 'stopped before the stop timeout').toBeLessThan(timeout * 1000);
      });
    }, 90_000);

    it('negative controls: the checks fail when the profile is broken', async () => {
      const proj = need();
      const allowed = allowedSyscalls(proj.seccomp!);
      const controls = [
        { column: 'neg: profile minus socket+bind fails', remove: ['socket', 'bind'] },
        { column: `neg: strict minus ${NEEDED_SYSCALL} fails`, remove: [NEEDED_SYSCALL] },
      ];
      const outcomes = await Promise.allSettled(
        controls.map((c, i) =>
          report.check(row, c.column, async () => {
            const missing = c.remove.filter((n) => !allowed.includes(n));
            expect(missing, `the generated strict profile does not allow ${missing.join(', ')}: nothing to remove`).toEqual([]);
            const profilePath = join(scratch, `${tag}-without-${c.remove.join('-')}.json`);
            await writeFile(profilePath, JSON.stringify(withoutSyscalls(proj.seccomp!, c.remove), null, 2));
            const name = ctr(`neg${i}`);
            const port = await freePort();
            const { r } = await start(name, { seccompPath: profilePath, hostPort: port });
            expect(r.exitCode, `the control container must start (the runtime accepts the profile)\n${describeResult(r)}`).toBe(0);
            const res = await waitForHttp(healthUrl(port), NEGATIVE_WINDOW_MS, alive(name));
            const s = await state(name);
            const logText = await containerStory(name);
            expect(
              res.outcome.ok,
              `without ${c.remove.join(' and ')} the app still answered ${healthUrl(port)} — the check cannot tell a broken profile from a good one\n${logText}`,
            ).toBe(false);
            const evidence = logText.split('\n').filter((l) => /Permission denied|Operation not permitted|Errno 1\b|EPERM|Error|error/.test(l)).slice(-2).join(' | ');
            report.note(
              `${row}: without ${c.remove.join('+')}: no HTTP 200 in ${(res.elapsedMs / 1000).toFixed(1)} s` +
                ` (last: ${res.outcome.error ?? `HTTP ${res.outcome.status}`}); container ${s?.running ? 'still running' : `exited ${s?.exitCode}`}` +
                (evidence ? `; log: ${evidence.slice(0, 240)}` : ''),
            );
          }),
        ),
      );
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed.map((f) => (f.reason as Error).message)).toEqual([]);
    }, 120_000);
  });
}
