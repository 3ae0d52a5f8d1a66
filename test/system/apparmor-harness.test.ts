/**
 * The host-side pieces of the AppArmor guest harness, without booting it:
 * reading the generated Dockerfile, the build context, the console protocol
 * and the negative-control profile edits. Pure and fast; no root needed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { renderAll } from '../../src/render/index.js';
import type { Config } from '../../src/config/schema.js';
import {
  appBuildSteps,
  healthcheckArgv,
  healthcheckUrl,
  parseDockerfile,
  parseEnvArgs,
  runtimeCommand,
  runtimeEnv,
  runtimeWorkdir,
} from './guest-lib/dockerfile.js';
import { copyContext, isIgnored, parseDockerignore } from './guest-lib/context.js';
import { expectedChecks, formatTable, parseGuestOutput, profileNameOf, stageCase } from './guest-lib/guest.js';
import { breakProfile } from './guest-lib/variants.js';

const FRAMEWORKS: Partial<Config>[] = [
  { name: 'djangoapp', framework: 'django', server: 'gunicorn', appModule: 'config.wsgi:application' },
  { name: 'flaskapp', framework: 'flask', server: 'gunicorn', appModule: 'app:app' },
  { name: 'fastapiapp', framework: 'fastapi', server: 'uvicorn', appModule: 'main:app' },
];

function rendered(over: Partial<Config>): Map<string, string> {
  const config = exampleConfig({ ...over, volumes: [{ path: '/data', purpose: 'uploads' }] });
  return new Map(renderAll(config).map((f) => [f.path, f.content]));
}

const work = mkdtempSync(path.join(tmpdir(), 'pyconfine-harness-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeProject(name: string, files: Map<string, string>): string {
  const dir = path.join(work, name);
  for (const [rel, content] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('reading the generated Dockerfile', () => {
  it.each(FRAMEWORKS)('$framework: CMD, ENV, WORKDIR and HEALTHCHECK match the derived facts', (over) => {
    const config = exampleConfig({ ...over, volumes: [{ path: '/data', purpose: 'uploads' }] });
    const facts = deriveFacts(config);
    const df = parseDockerfile(rendered(over).get('Dockerfile')!);
    expect(runtimeCommand(df)).toEqual(facts.argv);
    expect(Object.entries(runtimeEnv(df))).toEqual(facts.env);
    expect(runtimeWorkdir(df)).toBe(facts.appDir);
    expect(healthcheckUrl(df)).toBe(facts.healthUrl);
    expect(healthcheckArgv(df)[0]).toBe('python');
    const build = appBuildSteps(df);
    expect(build.steps.length).toBeGreaterThan(0);
    expect(build.steps.every((s) => !s.startsWith('--'))).toBe(true);
    expect(build.steps.some((s) => s.includes('pip install'))).toBe(false);
    expect(build.steps.some((s) => s.includes('collectstatic'))).toBe(over.framework === 'django');
  });

  it('undoes Docker ENV quoting and reads the legacy form', () => {
    expect(parseEnvArgs('A="x \\"y\\" \\$z\\\\" B=plain C=\'single q\'')).toEqual([
      ['A', 'x "y" $z\\'],
      ['B', 'plain'],
      ['C', 'single q'],
    ]);
    expect(parseEnvArgs('LEGACY some value')).toEqual([['LEGACY', 'some value']]);
    expect(() => parseEnvArgs('A="unterminated')).toThrow(/cannot read ENV/);
  });

  it('joins continuation lines, skips comments inside them, and refuses a shell-form CMD', () => {
    const df = parseDockerfile('FROM x AS a\nRUN one \\\n# comment\n  two\nFROM y\nWORKDIR /w\nCMD run it\n');
    expect(df.map((s) => s.name)).toEqual(['a', '1']);
    expect(df[0]!.instructions[1]!.keyword).toBe('RUN');
    expect(df[0]!.instructions[1]!.args).toMatch(/^one\s+two$/);
    expect(() => runtimeCommand(df)).toThrow(/exec form/);
  });
});

describe('the build context', () => {
  it('follows .dockerignore: globs, directories, exceptions', () => {
    const rules = parseDockerignore('# c\n*.py[cod]\n.env.*\nsecurity/apparmor\n**/secret\nlogs\n!logs/keep.txt\n');
    expect(isIgnored(rules, 'app.pyc')).toBe(true);
    expect(isIgnored(rules, 'app.py')).toBe(false);
    expect(isIgnored(rules, '.env.local')).toBe(true);
    expect(isIgnored(rules, 'security/apparmor/web')).toBe(true);
    expect(isIgnored(rules, 'security/seccomp/web.json')).toBe(false);
    expect(isIgnored(rules, 'a/b/secret')).toBe(true);
    expect(isIgnored(rules, 'logs/x.txt')).toBe(true);
    expect(isIgnored(rules, 'logs/keep.txt')).toBe(false);
  });

  it('stages a generated project: app files in, profiles and deploy files out', () => {
    const project = writeProject('flask-ctx', rendered(FRAMEWORKS[1]!));
    const copied = copyContext(project, path.join(work, 'flask-ctx-out')).sort();
    expect(copied).toContain('app.py');
    expect(copied).toContain('requirements.txt');
    for (const out of ['Dockerfile', '.dockerignore', '.pyconfine.json', 'compose.yaml', 'security/apparmor/flaskapp', 'deploy/k8s/deployment.yaml']) {
      expect(copied).not.toContain(out);
    }
  });
});

describe('the console protocol', () => {
  const console = [
    'noise',
    'GUEST-START 6.1.0',
    'CASE-BEGIN flask\r',
    'RESULT flask profile-load PASS apparmor_parser -K -r x -> exit 0 [1.0s]\r',
    'RESULT flask enforce:create:/app FAIL confined: ok; unconfined control: ok [2.0s]',
    'DMESG flask audit: apparmor="DENIED" operation="open" name="/etc/shadow"',
    'APPLOG flask [INFO] Booting worker',
    'RESULT flask profile-load PASS again',
    'CASE-END flask 12.5',
    'GUEST-DONE rc=0',
  ].join('\n');

  it('parses results, records, app output and completion', () => {
    const report = parseGuestOutput(console);
    expect(report.started && report.done).toBe(true);
    const flask = report.cases.get('flask')!;
    expect(flask.ended).toBe(true);
    expect(flask.seconds).toBe(12.5);
    expect(flask.results.get('enforce:create:/app')).toEqual({ pass: false, detail: 'confined: ok; unconfined control: ok [2.0s]' });
    expect(flask.dmesg).toHaveLength(1);
    expect(flask.applog).toEqual(['[INFO] Booting worker']);
    expect(report.duplicates).toEqual(['flask profile-load']);
    const table = formatTable(report, ['flask', 'other'], ['profile-load', 'enforce:create:/app']);
    expect(table.split('\n')[2]).toMatch(/^profile-load\s+pass\s+-$/);
    expect(table.split('\n')[3]).toMatch(/^enforce:create:\/app\s+FAIL\s+-$/);
  });

  it('a console without GUEST-DONE is not complete', () => {
    expect(parseGuestOutput('GUEST-START x\nRESULT a b PASS').done).toBe(false);
  });
});

describe('negative-control profiles', () => {
  const profile = rendered(FRAMEWORKS[1]!).get('security/apparmor/flaskapp')!;
  const file = path.join(work, 'profile');
  writeFileSync(file, profile);

  it('the generated profile names itself pyconfine-<service>', () => {
    expect(profileNameOf(profile)).toBe('pyconfine-flaskapp');
  });

  it('drop-volume-allow removes only the volume allow rules', () => {
    const broken = breakProfile(file, 'drop-volume-allow', { volume: '/data', appDir: '/app' });
    const removed = profile.split('\n').filter((l) => !broken.split('\n').includes(l));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((l) => l.trim().startsWith('/data'))).toBe(true);
  });

  it('allow-app-writes drops the app-tree denies and adds write rules', () => {
    const broken = breakProfile(file, 'allow-app-writes', { volume: '/data', appDir: '/app' });
    expect(broken).toMatch(/^\s*\/app\/\*\* rw,$/m);
    expect(broken).not.toMatch(/deny\s+\/app[/{]/);
  });

  it('refuses an edit that changes nothing', () => {
    writeFileSync(file, 'profile x {\n  /tmp/** rw,\n}\n');
    expect(() => breakProfile(file, 'drop-volume-allow', { volume: '/data', appDir: '/app' })).toThrow(/did not change/);
  });
});

describe('the checks each case must report', () => {
  it('cover every writable path and forbidden operation, in both modes', () => {
    const project = writeProject('django-proj', rendered(FRAMEWORKS[0]!));
    const c = stageCase(path.join(work, 'stage'), {
      id: 'django',
      projectDir: project,
      profilePath: 'security/apparmor/djangoapp',
      writable: ['/data', '/tmp'],
    });
    const checks = expectedChecks(c);
    for (const op of ['create:/app', 'modify:/app', 'exec:/data', 'exec:/tmp', 'read:/etc/shadow', 'raw-socket']) {
      for (const prefix of ['enforce:', 'enforce-log:', 'complain:', 'complain-log:']) expect(checks).toContain(prefix + op);
    }
    expect(checks).toContain('enforce:write:/data');
    expect(checks).toContain('build:2');
    expect(readFileSync(path.join(work, 'stage/django/app/manage.py'), 'utf8')).toContain('django');
  });
});
