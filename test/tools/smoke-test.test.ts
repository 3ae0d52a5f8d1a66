/**
 * The generated smoke test, checked with shellcheck and then RUN for real.
 *
 * The real run happens in a throw-away "jail" that plays the container: a
 * private mount namespace (unshare) with a chroot whose /usr and /etc are the
 * host's (read-only for the app user), a tmpfs /tmp, /proc, and /app,
 * /opt/venv and the declared volumes as plain directories whose owner and mode
 * each case chooses. The script runs in it as the configured non-root user
 * through setpriv (no capabilities, no_new_privs) and, when a case wants it,
 * under an allow-all seccomp filter installed with prctl(2) — so every check
 * can be made to pass, and each can be made to fail on purpose.
 * The full in-container run (podman, the real image) is the system tier.
 */
import { execa } from 'execa';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { renderSmokeTest } from '../../src/render/smoke-test.js';

function smokeScript(overrides: Partial<Config> = {}): string {
  const c = exampleConfig(overrides);
  return renderSmokeTest(c, deriveFacts(c))[0]!.content;
}

async function shellcheck(source: string) {
  return execa('shellcheck', ['-s', 'sh', '-'], { input: source, reject: false });
}

const MATRIX: Partial<Config>[] = [
  {},
  { volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/cache/web', purpose: 'cache' }] },
  { egress: 'dns-tcp', egressCheck: '' },
  { egress: 'dns-tcp', egressCheck: 'db.internal:5432' },
  { capAdd: ['NET_BIND_SERVICE'], port: 80, publish: [80] },
  { uid: 2147483647, gid: 10001, healthPath: '/-/health.json' },
  { layout: { ...exampleConfig().layout, smokeTest: 'ci/smoke.sh' } },
];

describe('shellcheck', () => {
  it.each(MATRIX.map((o, i) => [i, o] as const))('config %i passes shellcheck -s sh', async (_i, overrides) => {
    const result = await shellcheck(smokeScript(overrides));
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('catches an unquoted expansion (negative control)', async () => {
    const broken = smokeScript().replace('\nexit 0\n', '\nrm -f $probe_dir/x\nexit 0\n');
    const result = await shellcheck(broken);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toContain('SC2086');
  });
});

// ---------------------------------------------------------------------------
// Running the script for real
// ---------------------------------------------------------------------------

const isRoot = process.getuid?.() === 0;
const haveTools = ['unshare', 'setpriv', 'chroot', 'python3'].every((tool) =>
  ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((dir) => existsSync(path.join(dir, tool))),
);
const APP_UID = 10001;

/** Installs an allow-everything seccomp filter (Seccomp: 2) and execs argv[1:]. */
const SECCOMP_ALLOW_PY = `import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
# One BPF instruction: BPF_RET | BPF_K, SECCOMP_RET_ALLOW.
insns = ctypes.create_string_buffer(struct.pack("=HBBI", 0x06, 0, 0, 0x7FFF0000))
prog = Prog(1, ctypes.cast(insns, ctypes.c_void_p))
if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    err = ctypes.get_errno()
    raise OSError(err, os.strerror(err))
os.execv(sys.argv[1], sys.argv[1:])
`;

/** 200 on /healthz, 503 on /unhealthy, 404 elsewhere; prints its port. */
const HEALTH_SERVER_PY = `import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = {"/healthz": 200, "/unhealthy": 503}.get(self.path, 404)
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok" if code == 200 else b"no")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
`;

interface Jail {
  /** Directories to create in the jail (besides /app, /opt/venv, /tmp) with owner uid and mode. */
  readonly dirs?: readonly { path: string; uid: number; mode: number }[];
  readonly appMode?: number;
  /** Run as this uid/gid (default 10001); `root` runs unchanged as root with all capabilities. */
  readonly user?: { uid: number; gid: number } | 'root';
  /** Install the allow-all seccomp filter (default true). */
  readonly seccomp?: boolean;
  /** Set no_new_privs (default true). */
  readonly noNewPrivs?: boolean;
  /** setpriv --bounding-set value (default `-all`); null keeps the full bounding set. */
  readonly bounding?: string | null;
  readonly env?: Record<string, string>;
}

interface RunResult {
  readonly exitCode: number;
  readonly lines: string[];
  readonly root: string;
}

const jailRoots: string[] = [];

async function runInJail(script: string, jail: Jail = {}): Promise<RunResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'pyconfine-jail-'));
  jailRoots.push(root);
  chmodSync(root, 0o755);
  for (const dir of ['usr', 'etc', 'proc', 'dev', 'tmp', 'app', 'opt/venv']) mkdirSync(path.join(root, dir), { recursive: true });
  chmodSync(path.join(root, 'app'), jail.appMode ?? 0o755);
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    if (existsSync(`/usr/${link}`)) symlinkSync(`usr/${link}`, path.join(root, link));
  }
  for (const dir of jail.dirs ?? []) {
    const target = path.join(root, dir.path);
    mkdirSync(target, { recursive: true });
    chownSync(target, dir.uid, dir.uid);
    chmodSync(target, dir.mode);
  }
  writeFileSync(path.join(root, 'seccomp-allow.py'), SECCOMP_ALLOW_PY);

  const argv: string[] = [];
  if (jail.user !== 'root') {
    const { uid, gid } = jail.user ?? { uid: APP_UID, gid: APP_UID };
    argv.push('/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all');
    const bounding = jail.bounding === undefined ? '-all' : jail.bounding;
    if (bounding !== null) argv.push(`--bounding-set=${bounding}`);
    if (jail.noNewPrivs !== false) argv.push('--no-new-privs');
  }
  if (jail.seccomp !== false) argv.push('/usr/bin/python3', '/seccomp-allow.py');
  argv.push('/bin/sh', '-s');

  // Mounts live only in the private namespace of this one process.
  const setup = [
    'set -e',
    'cd "$JAIL"',
    'mount --rbind /usr usr',
    'mount -o remount,bind,ro usr',
    'mount --rbind /etc etc',
    'mount --rbind /dev dev',
    'mount -t proc proc proc',
    'mount -t tmpfs -o mode=1777,size=8m tmpfs tmp',
    'exec chroot . "$@"',
  ].join('\n');
  const result = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', setup, 'jail', ...argv], {
    input: script,
    reject: false,
    env: { JAIL: root, ...jail.env },
    extendEnv: true,
    timeout: 60_000,
  });
  if (result.stderr) expect(result.stderr).not.toMatch(/mount:|chroot:|setpriv:|Traceback/);
  return { exitCode: result.exitCode ?? -1, lines: result.stdout.split('\n').filter(Boolean), root };
}

let healthPort = 0;
let server: ReturnType<typeof execa> | undefined;

describe.skipIf(!isRoot || !haveTools)('running the script (jail via unshare + chroot + setpriv; needs root)', () => {
  beforeAll(async () => {
    server = execa('python3', ['-c', HEALTH_SERVER_PY], { reject: false });
    healthPort = await new Promise<number>((resolve, reject) => {
      server!.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
      server!.once('exit', () => reject(new Error('health server exited')));
    });
  });

  afterAll(() => {
    server?.kill();
    for (const root of jailRoots) {
      // The bind mounts never existed outside the jail's namespace: refuse to
      // delete anything if /usr inside the jail directory is not empty.
      if (readdirSync(path.join(root, 'usr')).length === 0) rmSync(root, { recursive: true, force: true });
    }
  });

  const good = (overrides: Partial<Config> = {}): Partial<Config> => ({
    volumes: [{ path: '/data', purpose: 'uploads' }],
    port: healthPort,
    publish: [healthPort],
    egress: 'dns-tcp',
    egressCheck: `localhost:${healthPort}`,
    ...overrides,
  });
  const dataDir = { path: '/data', uid: APP_UID, mode: 0o750 };

  it('passes every check, and exits 0, in a jail that matches the configuration', async () => {
    const { exitCode, lines, root } = await runInJail(smokeScript(good()), { dirs: [dataDir] });
    expect(lines.filter((l) => !l.startsWith('PASS ') && !l.startsWith('smoke-test:'))).toEqual([]);
    expect(lines).toEqual(expect.arrayContaining([
      'PASS uid: 10001',
      'PASS gid: 10001',
      'PASS writable /data',
      'PASS writable /tmp',
      'PASS read-only /app',
      'PASS read-only /opt/venv',
      'PASS read-only /',
      'PASS capabilities CapEff: 0000000000000000',
      'PASS capabilities CapBnd: 0000000000000000',
      'PASS Seccomp: 2 (seccomp filter active)',
      'PASS NoNewPrivs: 1 (no-new-privileges set)',
      `PASS health http://127.0.0.1:${healthPort}/healthz: HTTP 200`,
      'PASS egress dns localhost: 127.0.0.1',
      `PASS egress tcp localhost:${healthPort}: connected`,
    ]));
    expect(lines.at(-1)).toBe('smoke-test: 18 passed, 0 failed, 0 skipped');
    expect(exitCode).toBe(0);
    // The write probes are cleaned up.
    expect(readdirSync(path.join(root, 'data'))).toEqual([]);
  });

  it('fails on a UID/GID other than the configured ones', async () => {
    const { exitCode, lines } = await runInJail(smokeScript(good({ uid: 10002, gid: 10003 })), { dirs: [dataDir] });
    expect(lines).toContain('FAIL uid: 10001, expected 10002');
    expect(lines).toContain('FAIL gid: 10001, expected 10003');
    expect(exitCode).toBe(1);
  });

  it('fails as root: UID 0, capabilities held, / writable', async () => {
    const { exitCode, lines } = await runInJail(smokeScript(good()), { dirs: [dataDir], user: 'root' });
    expect(lines).toContain('FAIL uid: 0 (root), expected 10001');
    expect(lines).toContain('FAIL groups: 0 includes group 0 (root)');
    expect(lines.find((l) => l.startsWith('FAIL capabilities CapEff: '))).toMatch(/CapEff: [0-9a-f]*[1-9a-f][0-9a-f]*, expected 0{16}$/);
    expect(lines).toContain('FAIL read-only /: a file could be created');
    expect(lines).toContain('FAIL read-only /app: a file could be created');
    expect(exitCode).toBe(1);
  });

  it('fails without a seccomp filter, without no_new_privs and with a full bounding set', async () => {
    const { exitCode, lines } = await runInJail(smokeScript(good()), {
      dirs: [dataDir],
      seccomp: false,
      noNewPrivs: false,
      bounding: null,
    });
    expect(lines).toContain('FAIL Seccomp: 0, expected 2 (seccomp filter active)');
    expect(lines).toContain('FAIL NoNewPrivs: 0, expected 1 (no-new-privileges set)');
    expect(lines.find((l) => l.startsWith('FAIL capabilities CapBnd: '))).toBeDefined();
    expect(lines).toContain('PASS capabilities CapEff: 0000000000000000');
    expect(exitCode).toBe(1);
  });

  it('accepts exactly the added-back capability and nothing else', async () => {
    const jail: Jail = { dirs: [dataDir], bounding: '-all,+net_bind_service' };
    const allowed = await runInJail(smokeScript(good({ capAdd: ['NET_BIND_SERVICE'] })), jail);
    expect(allowed.lines).toContain('PASS capabilities CapBnd: 0000000000000400 (only the configured capabilities)');
    expect(allowed.exitCode).toBe(0);
    const notAllowed = await runInJail(smokeScript(good()), jail);
    expect(notAllowed.lines).toContain('FAIL capabilities CapBnd: 0000000000000400, expected 0000000000000000');
    expect(notAllowed.exitCode).toBe(1);
  });

  it('fails on a volume the user cannot write, a missing one, and a writable app tree', async () => {
    const script = smokeScript(good({
      volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/lib/missing', purpose: 'never created' }],
    }));
    const { exitCode, lines } = await runInJail(script, {
      dirs: [{ path: '/data', uid: 0, mode: 0o755 }],
      appMode: 0o777,
    });
    expect(lines).toContain('FAIL writable /data: cannot create a file');
    expect(lines).toContain('FAIL writable /var/lib/missing: not a directory');
    expect(lines).toContain('PASS writable /tmp');
    expect(lines).toContain('FAIL read-only /app: a file could be created');
    expect(lines).toContain('PASS read-only /opt/venv');
    expect(exitCode).toBe(1);
  });

  it('fails when the health endpoint does not answer 2xx', async () => {
    const { exitCode, lines } = await runInJail(smokeScript(good({ healthPath: '/unhealthy' })), { dirs: [dataDir] });
    expect(lines).toContain(`FAIL health http://127.0.0.1:${healthPort}/unhealthy: HTTPError: HTTP Error 503: Service Unavailable`);
    expect(exitCode).toBe(1);
  });

  it('takes the egress target from SMOKE_EGRESS_TARGET and fails when it cannot be reached', async () => {
    const refused = await runInJail(smokeScript(good()), { dirs: [dataDir], env: { SMOKE_EGRESS_TARGET: 'localhost:1' } });
    expect(refused.lines).toContain('PASS egress dns localhost: 127.0.0.1');
    expect(refused.lines.find((l) => l.startsWith('FAIL egress tcp localhost:1: '))).toMatch(/ConnectionRefusedError/);
    expect(refused.exitCode).toBe(1);

    const unresolvable = await runInJail(smokeScript(good()), { dirs: [dataDir], env: { SMOKE_EGRESS_TARGET: 'no-such-host.invalid' } });
    expect(unresolvable.lines.find((l) => l.startsWith('FAIL egress dns no-such-host.invalid: '))).toMatch(/gaierror/);
    expect(unresolvable.exitCode).toBe(1);
  });

  it('skips egress with the reason, without failing, when there is no target', async () => {
    const empty = await runInJail(smokeScript(good()), { dirs: [dataDir], env: { SMOKE_EGRESS_TARGET: '' } });
    expect(empty.lines).toContain('SKIP egress: SMOKE_EGRESS_TARGET is empty');
    expect(empty.exitCode).toBe(0);

    const unconfigured = await runInJail(smokeScript(good({ egressCheck: '' })), { dirs: [dataDir] });
    expect(unconfigured.lines).toContain('SKIP egress: no target configured (set --egress-check HOST)');
    expect(unconfigured.lines.at(-1)).toBe('smoke-test: 16 passed, 0 failed, 1 skipped');
    expect(unconfigured.exitCode).toBe(0);

    const off = await runInJail(smokeScript(good({ egress: 'none' })), { dirs: [dataDir] });
    expect(off.lines).toContain('SKIP egress: disabled in the configuration (egress: none)');
    expect(off.lines.some((l) => l.includes('egress dns'))).toBe(false);
    expect(off.exitCode).toBe(0);
  });
});
