import { describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { shellQuote } from '../../src/render/escape.js';
import { capabilityMask } from '../../src/knowledge/capabilities.js';
import { renderSmokeTest } from '../../src/render/smoke-test.js';

function render(overrides: Partial<Config> = {}) {
  const c = exampleConfig(overrides);
  const f = deriveFacts(c);
  const files = renderSmokeTest(c, f);
  expect(files).toHaveLength(1);
  return { c, f, file: files[0]!, text: files[0]!.content };
}

/** The value of a top-level `NAME=value` assignment (shellQuote'd words only). */
function assignment(text: string, name: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${name}=`));
  expect(line, name).toBeDefined();
  return line!.slice(name.length + 1);
}

describe('smoke test script', () => {
  it('is an executable POSIX sh script at the configured path', () => {
    const { file, text } = render({ layout: { ...exampleConfig().layout, smokeTest: 'ci/check-runtime.sh' } });
    expect(file.path).toBe('ci/check-runtime.sh');
    expect(file.mode).toBe(0o755);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).not.toContain('<%');
    // No bashisms and no tools slim images lack (comments may name them).
    const code = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
    expect(code).not.toMatch(/\bbash\b|\[\[|\bcurl\b|\bwget\b|\bcapsh\b|\bps\b|\bgrep\b/);
    expect(text.endsWith('exit 0\n')).toBe(true);
  });

  it('carries the configured UID and GID', () => {
    const { text } = render({ uid: 20000, gid: 20001 });
    expect(assignment(text, 'EXPECTED_UID')).toBe('20000');
    expect(assignment(text, 'EXPECTED_GID')).toBe('20001');
    expect(text).toContain('check_id uid "$(id -u 2>/dev/null)" "$EXPECTED_UID"');
    expect(text).toContain('check_id gid "$(id -g 2>/dev/null)" "$EXPECTED_GID"');
  });

  it('checks every writable path, and that the app, the venv and / are read-only', () => {
    const volumes = [
      { path: '/data', purpose: 'uploads' },
      { path: '/var/cache/web', purpose: 'cache' },
    ];
    const { f, text } = render({ volumes });
    expect(f.writablePaths).toEqual(['/data', '/var/cache/web', '/tmp']);
    const checked = text.split('\n').filter((l) => l.startsWith('check_writable ')).map((l) => l.slice('check_writable '.length));
    expect(checked).toEqual(f.writablePaths.map(shellQuote));
    expect(assignment(text, 'APP_DIR')).toBe(f.appDir);
    expect(assignment(text, 'VENV_DIR')).toBe(f.venvDir);
    expect(text).toContain('check_read_only "$APP_DIR"\ncheck_read_only "$VENV_DIR"\ncheck_read_only /\n');
  });

  it('checks the capability sets, seccomp mode 2 and no_new_privs', () => {
    const { text } = render();
    expect(text).toContain('for field in CapInh CapPrm CapEff CapBnd CapAmb; do');
    expect(text).toContain("expect_status Seccomp 2 'seccomp filter active'");
    expect(text).toContain("expect_status NoNewPrivs 1 'no-new-privileges set'");
    expect(assignment(text, 'ALLOWED_CAP_MASK')).toBe('0000000000000000');
  });

  it('allows exactly the added-back capability bits', () => {
    expect(capabilityMask([])).toBe('0000000000000000');
    expect(capabilityMask(['NET_BIND_SERVICE'])).toBe('0000000000000400');
    expect(assignment(render({ capAdd: ['NET_BIND_SERVICE'] }).text, 'ALLOWED_CAP_MASK')).toBe('0000000000000400');
  });

  it('asks the health endpoint through python, with the URL as an argument', () => {
    const { f, text } = render({ port: 9000, publish: [9000], healthPath: '/-/ready' });
    expect(f.healthUrl).toBe('http://127.0.0.1:9000/-/ready');
    expect(assignment(text, 'HEALTH_URL')).toBe(shellQuote(f.healthUrl));
    expect(text).toContain('"$PYTHON" -c "$HEALTH_PY" "$HEALTH_URL"');
    // The URL is data, never part of the Python source.
    const code = text.slice(text.indexOf("HEALTH_PY='"), text.indexOf("sys.exit(1)'", text.indexOf("HEALTH_PY='")));
    expect(code).not.toContain('127.0.0.1');
    expect(code).toContain('200 <= response.status < 300');
  });

  it('skips egress with a reason when it is off or has no target', () => {
    const off = render({ egress: 'none' }).text;
    expect(assignment(off, 'EGRESS')).toBe('none');
    expect(off).toContain('skip "egress: disabled in the configuration (egress: none)"');
    const noTarget = render({ egress: 'dns-tcp', egressCheck: '' }).text;
    expect(assignment(noTarget, 'CONFIGURED_EGRESS_TARGET')).toBe("''");
    expect(noTarget).toContain('skip "egress: no target configured (set --egress-check HOST)"');
  });

  it('resolves the configured egress target, overridable with SMOKE_EGRESS_TARGET', () => {
    const { text } = render({ egress: 'dns-tcp', egressCheck: 'db.internal:5432' });
    expect(assignment(text, 'EGRESS')).toBe('dns-tcp');
    expect(assignment(text, 'CONFIGURED_EGRESS_TARGET')).toBe('db.internal:5432');
    expect(text).toContain('${SMOKE_EGRESS_TARGET+set}');
    expect(text).toContain('socket.getaddrinfo(sys.argv[1]');
    expect(text).toContain('"$PYTHON" -c "$DNS_PY" "$host"');
    expect(text).toContain('"$PYTHON" -c "$TCP_PY" "$host" "$port"');
  });

  it('quotes every substituted value for the shell', () => {
    // Config values are restricted, but the template must quote whatever it gets.
    const c = exampleConfig();
    const f = { ...deriveFacts(c), writablePaths: ["/it's here"], healthUrl: 'http://x/$(reboot)' };
    const text = renderSmokeTest(c, f)[0]!.content;
    expect(text).toContain(`check_writable '/it'\\''s here'`);
    expect(assignment(text, 'HEALTH_URL')).toBe(`'http://x/$(reboot)'`);
  });

  it('is deterministic', () => {
    const overrides: Partial<Config> = { volumes: [{ path: '/data', purpose: 'uploads' }], egress: 'dns-tcp', egressCheck: 'example.org' };
    expect(render(overrides).text).toBe(render(overrides).text);
    expect(render({ uid: 10002 }).text).not.toBe(render().text);
  });
});
