import { describe, expect, it } from 'vitest';
import { resolveConfig, type Layer } from '../../src/config/resolve.js';
import { flagFor, parseInitArgs } from '../../src/cli/flags.js';
import { UserError } from '../../src/errors.js';

function resolveFlags(argv: string[], extra: Layer[] = []) {
  const parsed = parseInitArgs(argv);
  return resolveConfig({ layers: [...extra, { source: 'flags', answers: parsed.answers }], yes: parsed.yes, dirName: 'My_Service', flagFor });
}

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('resolve: merge order and defaults', () => {
  it('fills framework-dependent defaults', () => {
    const c = resolveFlags(['--yes', '--framework', 'fastapi']);
    expect(c.name).toBe('my-service');
    expect(c.server).toBe('uvicorn');
    expect(c.appModule).toBe('main:app');
    expect(c.baseImage).toEqual({ ref: 'python:3.12-slim' });
    expect(c.publish).toEqual([8000]);
    expect(c.k8s.namespace).toBe('my-service');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lets flags beat a preset, and a preset beat defaults', () => {
    const preset: Layer = { source: 'preset', answers: { port: 9000, workers: 4, framework: 'django' } };
    const c = resolveFlags(['--yes', '--port', '8081'], [preset]);
    expect(c.port).toBe(8081);
    expect(c.workers).toBe(4);
    expect(c.framework).toBe('django');
    expect(c.appModule).toBe('config.wsgi:application');
  });

  it('drops a recorded derived value when its input changes', () => {
    const recorded: Layer = { source: 'recorded', answers: { name: 'web', framework: 'flask', server: 'gunicorn', appModule: 'app:app' } };
    const c = resolveFlags(['--framework', 'fastapi'], [recorded]);
    expect(c.server).toBe('uvicorn');
    expect(c.appModule).toBe('main:app');
  });

  it('parses volumes, base image digests and custom commands', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const c = resolveFlags([
      '--yes', '--framework', 'custom', '--command', 'gunicorn pkg.wsgi:application --bind 0.0.0.0:8000',
      '--volume', '/data:uploads', '--volume', '/var/lib/web', '--base-image', `python:3.12-slim@${digest}`,
    ]);
    expect(c.volumes).toEqual([{ path: '/data', purpose: 'uploads' }, { path: '/var/lib/web', purpose: 'data' }]);
    expect(c.baseImage).toEqual({ ref: 'python:3.12-slim', digest });
    expect(c.command).toEqual(['gunicorn', 'pkg.wsgi:application', '--bind', '0.0.0.0:8000']);
  });

  it('names the missing flags when required answers are absent', () => {
    const e = errorOf(() => resolveFlags([]));
    expect(e.message).toBe('missing answers: --framework, --name');
    expect(e.exitCode).toBe(2);
  });
});

describe('resolve: bad input gets one clear error', () => {
  const cases: [string, string[], RegExp][] = [
    ['port 0', ['--port', '0'], /invalid --port 0/],
    ['port 65536', ['--port', '65536'], /invalid --port 65536/],
    ['port abc', ['--port', 'abc'], /--port "abc" is not a whole number/],
    ['privileged port', ['--port', '80'], /--port 80 is privileged/],
    ['relative volume', ['--volume', 'data'], /not an absolute container path/],
    ['.. in volume', ['--volume', '/data/../etc'], /contains "\." or "\.\."/],
    ['root volume', ['--volume', '/'], /whole root filesystem/],
    ['/proc volume', ['--volume', '/proc/x'], /under \/proc/],
    ['/sys volume', ['--volume', '/sys'], /under \/sys/],
    ['newline in volume', ['--volume', '/data\nRUN rm'], /newline, quote or shell character/],
    ['quote in volume', ['--volume', '/da"ta'], /newline, quote or shell character/],
    ['volume over app', ['--volume', '/app/uploads'], /overlaps the app tree/],
    ['volume over venv', ['--volume', '/opt'], /overlaps the venv tree/],
    ['bad name', ['--name', 'My_App'], /invalid --name "My_App"/],
    ['uid 0', ['--uid', '0'], /invalid --uid 0/],
    ['uid 10000', ['--uid', '10000'], /invalid --uid 10000/],
    ['unknown framework', ['--framework', 'bottle'], /unknown framework "bottle"/],
    ['injected health path', ['--health-path', '/x"\nUSER root'], /invalid --health-path/],
    ['health path without slash', ['--health-path', 'healthz'], /invalid --health-path/],
    ['health path with space', ['--health-path', '/health z'], /invalid --health-path/],
    ['injected command', ['--framework', 'custom', '--command', 'gunicorn app:app; rm -rf /'], /shell characters/],
    ['bad digest', ['--base-image', 'python:3.12-slim@sha256:abc'], /not sha256: followed by 64 hex/],
    ['bad image digest', ['--image', 'registry.example.com/web:1@md5:abc'], /--image digest "md5:abc" is not sha256/],
    ['refused capability', ['--cap-add', 'SYS_ADMIN'], /--cap-add SYS_ADMIN is refused/],
    ['needless capability', ['--cap-add', 'NET_BIND_SERVICE'], /not needed for port 8000/],
    ['unknown arch', ['--arch', 'riscv64'], /unknown architecture "riscv64"/],
    ['db without egress', ['--database-url', 'postgres://db:5432/app'], /needs outbound network/],
    ['db with credentials', ['--egress', 'dns-tcp', '--database-url', 'postgres://u:p@db:5432/app'], /contains credentials/],
    ['k8s version', ['--k8s-version', '1.19'], /--k8s-version "1.19" is not supported/],
    ['namespace', ['--namespace', 'Bad_NS'], /invalid --namespace "Bad_NS"/],
    ['unknown flag', ['--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  for (const [label, argv, pattern] of cases) {
    it(label, () => {
      const e = errorOf(() => resolveFlags(['--yes', '--framework', 'flask', ...argv]));
      expect(e.message).toMatch(pattern);
      expect(e.message).not.toMatch(/\n/);
      expect(e.hint.length).toBeGreaterThan(5);
    });
  }

  it('accepts a privileged port when NET_BIND_SERVICE is accepted', () => {
    const c = resolveFlags(['--yes', '--framework', 'flask', '--port', '80', '--cap-add', 'NET_BIND_SERVICE']);
    expect(c.capAdd).toEqual(['NET_BIND_SERVICE']);
  });
});
