/**
 * Every generated Kubernetes manifest passes yamllint (the real CLI, installed
 * by scripts/install-tools.sh), in strict mode (warnings fail too).
 *
 * Config: yamllint's `default` rules with `line-length` off. Keys such as
 * `container.apparmor.security.beta.kubernetes.io/<container>: localhost/<profile>`
 * and the explanatory header comments cannot be wrapped without changing
 * their meaning. `document-start` stays on: every document starts with `---`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { renderK8s } from '../../src/render/k8s.js';

const YAMLLINT_CONFIG = '{extends: default, rules: {line-length: disable}}';

const render = renderK8s;

const base = exampleConfig();
const CONFIGS: Record<string, Config> = {
  default: base,
  'k8s 1.25, volumes, egress to a database': exampleConfig({
    volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/cache/app', purpose: 'cache' }],
    egress: 'dns-tcp', databaseUrl: 'postgresql://db:5432/app',
    k8s: { ...base.k8s, version: '1.25' },
  }),
  'operator, low port, NET_BIND_SERVICE': exampleConfig({
    port: 80, publish: [8080], capAdd: ['NET_BIND_SERVICE'], egress: 'dns-tcp',
    k8s: { ...base.k8s, version: '1.35', operator: true },
  }),
  'django, runtime-default, apparmor off': exampleConfig({
    framework: 'django', appModule: 'config.wsgi:application', apparmor: 'off',
    k8s: { ...base.k8s, seccomp: 'runtime-default', version: '1.29' },
  }),
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyconfine-k8s-yamllint-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function yamllint(files: string[]) {
  return execa('yamllint', ['--strict', '-f', 'parsable', '-d', YAMLLINT_CONFIG, ...files], { reject: false });
}

function write(root: string, rel: string, content: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe('yamllint on the generated manifests', () => {
  it('yamllint is installed (scripts/install-tools.sh)', async () => {
    const r = await execa('yamllint', ['--version'], { reject: false });
    expect(r.exitCode, 'yamllint missing: run scripts/install-tools.sh').toBe(0);
  });

  it.each(Object.entries(CONFIGS))('%s: every file passes', async (label, c) => {
    const root = join(dir, label.replace(/[^a-z0-9]+/gi, '-'));
    const files = render(c, deriveFacts(c)).map((f) => write(root, f.path, f.content));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const r = await yamllint(files);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('negative controls: the same yamllint call rejects bad YAML', () => {
  it.each([
    ['a syntax error', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n', 'syntax'],
    ['a duplicated key', '---\napiVersion: v1\nkind: Service\nkind: Pod\n', 'key-duplicates'],
    ['bad indentation', '---\nmetadata:\n  name: a\n   labels: {}\n', 'syntax'],
    ['a missing document start (warning, fails in strict mode)', 'apiVersion: v1\nkind: Service\n', 'document-start'],
    ['a YAML 1.1 truthy value', '---\nautomountServiceAccountToken: yes\n', 'truthy'],
  ])('%s', async (_name, content, rule) => {
    const file = write(dir, `negative-${rule}-${content.length}.yaml`, content);
    const r = await yamllint([file]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(rule);
  });
});
