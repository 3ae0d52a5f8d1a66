import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { renderAll } from '../../src/render/index.js';
import { renderString } from '../../src/render/ejs.js';
import { hardeningFlags } from '../../src/render/runtime.js';
import type { Config } from '../../src/config/schema.js';

const FRAMEWORKS: Partial<Config>[] = [
  { name: 'dj', framework: 'django', server: 'gunicorn', appModule: 'config.wsgi:application' },
  { name: 'fl', framework: 'flask', server: 'gunicorn', appModule: 'app:app' },
  { name: 'fa', framework: 'fastapi', server: 'uvicorn', appModule: 'main:app' },
];

function files(over: Partial<Config>) {
  return new Map(renderAll(exampleConfig(over)).map((f) => [f.path, f.content]));
}

/** Parse the Dockerfile into instructions (joining continuation lines). */
function instructions(dockerfile: string): { op: string; args: string }[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  return joined.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => {
    const [op, ...rest] = l.trim().split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
}

describe('Dockerfile', () => {
  for (const over of FRAMEWORKS) {
    it(`${over.framework}: multi-stage, numeric non-root USER last, exec-form CMD`, () => {
      const df = files({ ...over, volumes: [{ path: '/data', purpose: 'uploads' }] }).get('Dockerfile')!;
      const ins = instructions(df);
      const froms = ins.filter((i) => i.op === 'FROM');
      expect(froms.length).toBe(2);
      expect(froms[0]!.args).toBe('python:3.12-slim AS builder');
      expect(froms[1]!.args).toBe('python:3.12-slim AS runtime');
      const users = ins.filter((i) => i.op === 'USER');
      expect(users.at(-1)!.args).toBe('10001:10001');
      // USER comes after every RUN of the runtime stage.
      const lastRun = ins.map((i) => i.op).lastIndexOf('RUN');
      expect(ins.findIndex((i) => i.op === 'USER')).toBeGreaterThan(lastRun);
      const cmd = ins.find((i) => i.op === 'CMD')!;
      const argv = JSON.parse(cmd.args) as string[];
      expect(argv).toEqual(deriveFacts(exampleConfig(over)).argv);
      expect(JSON.parse(ins.find((i) => i.op === 'HEALTHCHECK')!.args.replace(/^.*CMD /, ''))[0]).toBe('python');
      expect(df).toContain('install -d -o 10001 -g 10001 -m 0750 /data');
      expect(df).toContain('ENV PATH="/opt/venv/bin:');
      expect(df).toMatch(/PYTHONDONTWRITEBYTECODE="1"/);
      expect(df).toContain('--mount=type=cache,target=/root/.cache/pip');
      expect(df).toContain('-m compileall');
      if (over.framework === 'django') {
        expect(df).toContain('manage.py collectstatic --noinput');
        expect(df).not.toMatch(/CMD.*migrate/);
      }
    });
  }

  it('uses uv and poetry in the builder stage', () => {
    expect(files({ deps: 'uv' }).get('Dockerfile')).toMatch(/uv sync --no-dev --no-install-project/);
    expect(files({ deps: 'poetry' }).get('Dockerfile')).toMatch(/poetry install --only main --no-root/);
  });

  it('pins the base image by digest when given', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const df = files({ baseImage: { ref: 'python:3.12-slim', digest } }).get('Dockerfile')!;
    expect(df).toContain(`FROM python:3.12-slim@${digest} AS builder`);
  });
});

describe('compose.yaml', () => {
  it('has the same hardening as the documented docker run', () => {
    const c = exampleConfig({ volumes: [{ path: '/data', purpose: 'uploads' }] });
    const f = deriveFacts(c);
    const doc = parseYaml(files({ volumes: c.volumes }).get('compose.yaml')!);
    const svc = doc.services.web;
    const flags = hardeningFlags(c, f);
    expect(svc.user).toBe(flags[flags.indexOf('--user') + 1]);
    expect(svc.read_only).toBe(true);
    expect(svc.init).toBe(true);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.tmpfs).toEqual([flags[flags.indexOf('--tmpfs') + 1]]);
    expect(svc.security_opt).toEqual(['no-new-privileges:true', 'seccomp=security/seccomp/web.json', 'apparmor=pyconfine-web']);
    expect(svc.ports).toEqual(['127.0.0.1:8000:8000']);
    expect(svc.volumes).toEqual(['web-data:/data']);
    expect(Object.keys(doc.volumes)).toEqual(['web-data']);
  });
});

describe('Kubernetes image', () => {
  it('uses the registry image by digest when one is given, else the local tag', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const withDigest = files({ k8s: { version: '1.30', namespace: 'web', seccomp: 'localhost', operator: false, image: { ref: 'registry.example.com/web', digest } } });
    expect(withDigest.get('deploy/k8s/deployment.yaml')).toContain(`image: registry.example.com/web@${digest}`);
    expect(files({}).get('deploy/k8s/deployment.yaml')).toContain('image: web:local');
  });
});

describe('app scaffold', () => {
  it('writes a runnable app and dependency file per framework', () => {
    expect([...files(FRAMEWORKS[0]!).keys()]).toEqual(expect.arrayContaining(['manage.py', 'config/settings.py', 'config/urls.py', 'config/wsgi.py', 'requirements.txt']));
    expect(files(FRAMEWORKS[1]!).get('app.py')).toContain('@app.get("/healthz")');
    expect(files(FRAMEWORKS[2]!).get('main.py')).toContain('@app.get("/healthz")');
    expect(files(FRAMEWORKS[2]!).get('requirements.txt')).toBe('fastapi>=0.92\nuvicorn>=0.17\n');
    expect(files({ deps: 'uv' }).get('pyproject.toml')).toContain('"flask>=2.2"');
  });

  it('is skipped when the repo already has an app', () => {
    const paths = renderAll(exampleConfig(), { scaffold: false }).map((f) => f.path);
    expect(paths).not.toContain('app.py');
    expect(paths).not.toContain('requirements.txt');
  });
});

describe('determinism and the record', () => {
  it('renders byte-identical output for the same Config', () => {
    for (const over of FRAMEWORKS) {
      expect(renderAll(exampleConfig(over))).toEqual(renderAll(exampleConfig(over)));
    }
  });

  it('records the config and the hash of every managed file', () => {
    const out = renderAll(exampleConfig());
    const record = JSON.parse(out.find((f) => f.path === '.pyconfine.json')!.content);
    expect(record.config.name).toBe('web');
    expect(Object.keys(record.files)).toContain('Dockerfile');
    expect(Object.keys(record.files)).not.toContain('app.py');
  });
});

describe('EJS safety', () => {
  it('throws on <%= so HTML escaping never reaches a Dockerfile', () => {
    expect(() => renderString('<%= it.x %>', { x: 'a' })).toThrow(/use <%-/);
    expect(renderString('<%- it.q.shellQuote(it.x) %>', { x: "a'b" })).toBe(`'a'\\''b'`);
  });

  it('throws on a misspelt variable (strict mode)', () => {
    expect(() => renderString('<%- nope %>', {})).toThrow();
  });

  it('no shipped template uses <%=', () => {
    const dir = new URL('../../templates/', import.meta.url);
    const walk = (d: URL): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(new URL(`${e.name}/`, d)) : [new URL(e.name, d).pathname]));
    const offenders = walk(dir).filter((f) => readFileSync(f, 'utf8').includes('<%='));
    expect(offenders).toEqual([]);
  });
});
