/**
 * The package as users get it: `npm pack`, then `npx <tarball> init`.
 * Also presets and the warnings for switched-off profiles.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const BIN = path.resolve('bin/pyconfine.js');
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'pyconfine-pkg-'));

describe('packed tarball', () => {
  it('npx <tarball> init --yes --framework flask writes a non-root multi-stage setup', async () => {
    const packDir = tmp();
    await execa('npm', ['pack', '--silent', '--pack-destination', packDir], { env: { npm_config_ignore_scripts: 'true' } });
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
    const target = path.join(tmp(), 'x');
    const res = await execa('npx', ['--yes', `./${tarball}`, 'init', '--yes', '--framework', 'flask', '--dir', target], {
      reject: false,
      cwd: packDir,
      env: { CI: 'true', npm_config_cache: path.join(packDir, 'cache') },
      timeout: 120_000,
    });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.exitCode).toBe(0);
    const df = readFileSync(path.join(target, 'Dockerfile'), 'utf8');
    expect(df.match(/^FROM /gm)).toHaveLength(2);
    expect(df.match(/^USER .+$/gm)!.at(-1)).toBe('USER 10001:10001');
    expect(df).toMatch(/^CMD \[/m);
  }, 180_000);
});

describe('--preset', () => {
  it('reads a YAML preset, validated like flags, and flags beat it', async () => {
    const dir = tmp();
    const preset = path.join(dir, 'team.yaml');
    writeFileSync(preset, 'framework: django\nport: 9000\nvolumes:\n  - /data:uploads\nuid: 20001\ngid: 20001\n');
    const target = path.join(dir, 'svc');
    const res = await execa('node', [BIN, 'init', '--yes', '--preset', preset, '--port', '8001', '--dir', target], { reject: false, env: { CI: 'true' } });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const df = readFileSync(path.join(target, 'Dockerfile'), 'utf8');
    expect(df).toContain('USER 20001:20001');
    expect(df).toContain('EXPOSE 8001');
    expect(df).toContain('install -d -o 20001 -g 20001 -m 0750 /data');
  });

  it('finds a shipped preset by name and names the shipped ones for an unknown name', async () => {
    const target = path.join(tmp(), 'svc');
    const res = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--preset', 'web-team', '--dir', target], { reject: false, env: { CI: 'true' } });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(readFileSync(path.join(target, 'Dockerfile'), 'utf8')).toContain('USER 20001:20001');
    const bad = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--preset', 'no-such-team', '--dir', tmp()], { reject: false, env: { CI: 'true' } });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^pyconfine: unknown preset "no-such-team" — .*shipped presets: .*web-team/);
  });

  it('rejects a preset with a bad value or an unknown key in one line', async () => {
    const dir = tmp();
    for (const [body, pattern] of [
      ['framework: flask\nuid: 0\n', /invalid --uid 0/],
      ['framework: flask\nprivileged: true\n', /unknown answer/],
      ['framework: [flask\n', /is not valid YAML/],
    ] as const) {
      const preset = path.join(dir, 'p.yaml');
      writeFileSync(preset, body);
      const target = path.join(dir, 'out');
      const res = await execa('node', [BIN, 'init', '--yes', '--preset', preset, '--dir', target], { reject: false, env: { CI: 'true' } });
      expect(res.exitCode).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(pattern);
      expect(existsSync(path.join(target, 'Dockerfile'))).toBe(false);
    }
  });
});

describe('warnings', () => {
  it('warns that the strict seccomp profile does not fit a musl (Alpine) base image', async () => {
    const dir = tmp();
    const res = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--base-image', 'python:3.12-alpine', '--dir', dir], { reject: false, env: { CI: 'true' } });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toMatch(/warning: the strict seccomp profile .* uses musl, so use --seccomp baseline/);
    const quiet = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--base-image', 'python:3.12-alpine', '--seccomp', 'baseline', '--dir', tmp()], { reject: false, env: { CI: 'true' } });
    expect(quiet.stderr).toBe('');
  });
});

describe('switching profiles off', () => {
  it('needs an explicit flag and prints a warning', async () => {
    const dir = tmp();
    const res = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--seccomp', 'none', '--apparmor', 'off', '--dir', dir], { reject: false, env: { CI: 'true' } });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toMatch(/warning: seccomp is none/);
    expect(res.stderr).toMatch(/warning: AppArmor is off/);
    expect(existsSync(path.join(dir, 'security/seccomp/x.json'))).toBe(false);
    const compose = readFileSync(path.join(dir, 'compose.yaml'), 'utf8');
    expect(compose).not.toMatch(/seccomp=|apparmor=/);
  });
});

describe('shipped presets', () => {
  it('every file in presets/ is accepted by the schema and applied', async () => {
    const dir = path.resolve('presets');
    const presets = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(presets.length).toBeGreaterThan(0);
    for (const preset of presets) {
      const target = path.join(tmp(), 'svc');
      const res = await execa('node', [BIN, 'init', '--yes', '--framework', 'flask', '--preset', path.join(dir, preset), '--dir', target], { reject: false, env: { CI: 'true' } });
      expect(res.stderr, preset).toBe('');
      expect(res.exitCode, preset).toBe(0);
      const record = JSON.parse(readFileSync(path.join(target, '.pyconfine.json'), 'utf8'));
      const answers = parseYaml(readFileSync(path.join(dir, preset), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(answers)) {
        if (value && typeof value === 'object' && !Array.isArray(value)) expect(record.config[key], `${preset}: ${key}`).toMatchObject(value);
        else expect(record.config[key], `${preset}: ${key}`).toEqual(value);
      }
    }
  });
});
