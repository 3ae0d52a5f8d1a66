/**
 * The AppArmor renderer: what the profile grants and refuses, for many
 * configurations. File rules are checked through a small evaluator that turns
 * AppArmor globs into regular expressions and computes the effective
 * permissions on sample paths (allow rules minus deny rules), so "nothing may
 * write /app" is tested as a property, not as the absence of one string.
 * Whether apparmor_parser accepts the text is test/tools/apparmor-parser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts, type Facts } from '../../src/config/facts.js';
import type { Config } from '../../src/config/schema.js';
import { FRAMEWORK_INFO } from '../../src/knowledge/frameworks.js';
import { APPARMOR_CAPABILITIES, renderApparmor } from '../../src/render/apparmor.js';
import { configMatrix } from '../lib/matrix.js';

// ---------------------------------------------------------------------------
// A minimal reader for the rules this profile uses.

/** Rule lines without comments and indentation. */
function ruleLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('include ') && line !== '}');
}

const VARIABLES: Record<string, string> = {
  '@{PROC}': '/proc/',
  '@{sys}': '/sys/',
  '@{pid}': '\u0001',
  '@{tid}': '\u0001',
};

/** AppArmor glob → RegExp: `**` any characters, `*` and `?` within one path segment. */
function globToRegExp(glob: string): RegExp {
  let g = glob;
  for (const [name, value] of Object.entries(VARIABLES)) g = g.split(name).join(value);
  expect(g, `unexpanded variable in ${glob}`).not.toMatch(/@\{/);
  g = g.replace(/\/+/g, '/');
  let out = '';
  const stack: number[] = [];
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === '*' && g[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '\u0001') out += '[1-9][0-9]{0,6}';
    else if (ch === '[') {
      const end = g.indexOf(']', i);
      out += g.slice(i, end + 1);
      i = end;
    } else if (ch === '{') {
      stack.push(i);
      out += '(?:';
    } else if (ch === '}') {
      stack.pop();
      out += ')';
    } else if (ch === ',' && stack.length > 0) out += '|';
    else out += ch.replace(/[.+^$()|\\]/g, '\\$&');
  }
  expect(stack, `unbalanced braces in ${glob}`).toHaveLength(0);
  return new RegExp(`^${out}$`);
}

interface FileRule {
  readonly deny: boolean;
  readonly audit: boolean;
  readonly glob: string;
  readonly re: RegExp;
  readonly perms: string;
}

const FILE_RULE = /^(audit\s+)?(deny\s+)?((?:\/|@\{)\S*)\s+([rwaklmiPpUuCcx]+),$/;

const parsed = new Map<string, FileRule[]>();

function fileRules(text: string): FileRule[] {
  const cached = parsed.get(text);
  if (cached) return cached;
  const rules: FileRule[] = [];
  for (const line of ruleLines(text)) {
    const m = FILE_RULE.exec(line);
    if (!m) continue;
    rules.push({ audit: !!m[1], deny: !!m[2], glob: m[3]!, re: globToRegExp(m[3]!), perms: m[4]! });
  }
  parsed.set(text, rules);
  return rules;
}

/** Effective permission letters on PATH: r w k l m x (x for any exec mode). */
function effective(text: string, path: string): Set<string> {
  const norm = (perms: string) => new Set(perms.replace(/[iPpUuCc]/g, '').split(''));
  const allowed = new Set<string>();
  const denied = new Set<string>();
  for (const rule of fileRules(text)) {
    if (!rule.re.test(path)) continue;
    for (const p of norm(rule.perms)) (rule.deny ? denied : allowed).add(p);
  }
  for (const p of denied) allowed.delete(p);
  return allowed;
}

function perms(text: string, path: string): string {
  return [...effective(text, path)].sort().join('');
}

function networkRules(text: string): string[] {
  return ruleLines(text).filter((l) => /^(audit\s+)?(deny\s+)?network\b/.test(l));
}

function capabilityRules(text: string): string[] {
  return ruleLines(text).filter((l) => /^(audit\s+)?(deny\s+)?capability\b/.test(l));
}

// ---------------------------------------------------------------------------

function render(overrides: Partial<Config> = {}) {
  const c = exampleConfig(overrides);
  const f = deriveFacts(c);
  const files = renderApparmor(c, f);
  expect(files).toHaveLength(1);
  return { c, f, file: files[0]!, text: files[0]!.content };
}

const VOLUME_SETS: Config['volumes'][] = [
  [],
  [{ path: '/data', purpose: 'uploads' }],
  [
    { path: '/var/lib/web/media', purpose: 'user media' },
    { path: '/srv/cache', purpose: 'cache, rebuilt on start' },
  ],
];

const MATRIX: Config[] = configMatrix(VOLUME_SETS);

describe('AppArmor profile: file and name', () => {
  it('is written to the configured path with the pyconfine-<service> name', () => {
    const { file, text, f } = render({
      name: 'billing-api',
      layout: { ...exampleConfig().layout, apparmorDir: 'ops/apparmor' },
    });
    expect(file.path).toBe('ops/apparmor/billing-api');
    expect(f.apparmorFile).toBe(file.path);
    expect(file.mode).toBe(0o644);
    expect(ruleLines(text)).toContain('profile pyconfine-billing-api flags=(attach_disconnected,mediate_deleted) {');
    expect(text).toContain('apparmor_parser -r ops/apparmor/billing-api');
    expect(text).toContain('--security-opt apparmor=pyconfine-billing-api');
  });

  it('renders nothing when AppArmor is off', () => {
    const c = exampleConfig({ apparmor: 'off' });
    expect(renderApparmor(c, deriveFacts(c))).toEqual([]);
  });

  it('declares ABI 3.0 and the global tunables before the profile, and closes it', () => {
    const { text } = render();
    const lines = ruleLines(text);
    expect(lines[0]).toBe('abi <abi/3.0>,');
    const rawLines = text.split('\n').map((l) => l.trim());
    const tunables = rawLines.indexOf('include <tunables/global>');
    const profile = rawLines.findIndex((l) => l.startsWith('profile '));
    expect(tunables).toBeGreaterThan(0);
    expect(profile).toBeGreaterThan(tunables);
    expect(text.trimEnd().endsWith('}')).toBe(true);
    // One profile block: exactly one opening and one closing brace at line level.
    expect(rawLines.filter((l) => l.endsWith('{'))).toHaveLength(1);
    expect(rawLines.filter((l) => l === '}')).toHaveLength(1);
    expect(text).not.toContain('<%');
  });

  it('is deterministic: the same Config gives byte-identical output', () => {
    for (const c of MATRIX.slice(0, 24)) {
      const a = renderApparmor(c, deriveFacts(c));
      const copy = exampleConfig(structuredClone({ ...c }) as Partial<Config>);
      const b = renderApparmor(copy, deriveFacts(copy));
      expect(b).toEqual(a);
    }
  });

  it('every rule line inside the profile ends with a comma', () => {
    for (const c of [MATRIX[0]!, MATRIX[MATRIX.length - 1]!]) {
      const lines = ruleLines(renderApparmor(c, deriveFacts(c))[0]!.content);
      const body = lines.slice(lines.findIndex((l) => l.startsWith('profile ')) + 1);
      for (const line of body) expect(line, line).toMatch(/,$/);
    }
  });
});

describe('AppArmor profile: abstractions', () => {
  it('includes base, python, openssl and ssl_certs, and nameservice only with egress', () => {
    for (const c of MATRIX) {
      const text = renderApparmor(c, deriveFacts(c))[0]!.content;
      const includes = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('include <abstractions/'));
      const expected = [
        'include <abstractions/base>',
        'include <abstractions/python>',
        'include <abstractions/openssl>',
        'include <abstractions/ssl_certs>',
      ];
      if (c.egress === 'dns-tcp') expected.push('include <abstractions/nameservice>');
      expect(includes).toEqual(expected);
    }
  });

  it('never includes abstractions that grant secrets or broad access', () => {
    const { text } = render({ egress: 'dns-tcp' });
    expect(text).not.toMatch(/abstractions\/(ssl_keys|private-files|user-|authentication|consoles)/);
  });
});

describe('AppArmor profile: files', () => {
  it('keeps the app and venv trees read-only for every configuration', () => {
    for (const c of MATRIX) {
      const f = deriveFacts(c);
      const text = renderApparmor(c, f)[0]!.content;
      for (const path of [
        `${f.appDir}/`,
        `${f.appDir}/app.py`,
        `${f.appDir}/config/settings.py`,
        `${f.appDir}/static/site.css`,
        `${f.venvDir}/`,
        `${f.venvDir}/pyvenv.cfg`,
        `${f.venvDir}/lib/python3.12/site-packages/flask/__init__.py`,
      ]) {
        const p = effective(text, path);
        expect(p.has('r'), `${path} readable`).toBe(true);
        for (const bad of ['w', 'a', 'l', 'k']) expect(p.has(bad), `${path} must not get ${bad}`).toBe(false);
      }
      // Explicit, audited denials document the read-only trees.
      expect(ruleLines(text)).toContain(`audit deny ${f.appDir}/{,**} wl,`);
      expect(ruleLines(text)).toContain(`audit deny ${f.venvDir}/{,**} wl,`);
    }
  });

  it('lets compiled extension modules load (m) from the venv, the app and the stdlib', () => {
    const { text } = render();
    for (const so of [
      '/opt/venv/lib/python3.12/site-packages/pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so',
      '/opt/venv/lib/python3.12/site-packages/numpy.libs/libgfortran-040039e1.so.5.0.0',
      '/app/native/fast.cpython-312-x86_64-linux-gnu.so',
      '/usr/local/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so',
      '/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so',
      '/usr/local/lib/libpython3.12.so.1.0',
    ]) {
      expect(effective(text, so).has('m'), so).toBe(true);
    }
    // Plain sources are read, not mapped as code.
    expect(perms(text, '/opt/venv/lib/python3.12/site-packages/flask/app.py')).toBe('r');
    expect(perms(text, '/app/app.py')).toBe('r');
  });

  it('grants rw and locks, never exec or code mapping, on every writable path', () => {
    for (const c of MATRIX) {
      const f = deriveFacts(c);
      const text = renderApparmor(c, f)[0]!.content;
      expect(f.writablePaths).toContain('/tmp');
      for (const dir of f.writablePaths) {
        expect(effective(text, `${dir}/`).has('w'), `${dir}/ itself`).toBe(true);
        for (const file of [`${dir}/upload.bin`, `${dir}/deep/nested/file.db`]) {
          expect(perms(text, file), file).toBe('krw');
        }
        for (const dropped of [`${dir}/evil`, `${dir}/sub/libevil.so`]) {
          const p = effective(text, dropped);
          expect(p.has('x'), `${dropped} exec`).toBe(false);
          expect(p.has('m'), `${dropped} mmap`).toBe(false);
        }
        expect(ruleLines(text)).toContain(`audit deny ${dir}/** mx,`);
      }
    }
  });

  it('writes nowhere except the writable paths', () => {
    const { text, f } = render({ volumes: [{ path: '/data', purpose: 'uploads' }] });
    const writable = fileRules(text).filter((r) => !r.deny && /[wa]/.test(r.perms));
    const allowedGlobs = new Set(f.writablePaths.flatMap((p) => [`${p}/`, `${p}/**`]));
    allowedGlobs.add('/dev/tty');
    allowedGlobs.add('/dev/pts/[0-9]*');
    for (const rule of writable) expect(allowedGlobs.has(rule.glob), rule.glob).toBe(true);
    for (const path of ['/etc/passwd', '/usr/local/bin/python3.12', '/var/tmp/x', '/run/x', '/root/.bashrc', '/x']) {
      expect(effective(text, path).has('w'), path).toBe(false);
    }
  });

  it('runs the init, the interpreter, the venv scripts and the smoke test tools, and nothing else', () => {
    const { text } = render();
    for (const exe of [
      '/sbin/docker-init',
      '/run/podman-init',
      '/usr/bin/catatonit',
      '/usr/libexec/podman/catatonit',
      '/usr/bin/tini',
      '/usr/local/bin/python3.12',
      '/usr/bin/python3.11',
      '/opt/venv/bin/gunicorn',
      '/opt/venv/bin/uvicorn',
      '/opt/venv/bin/python',
      '/bin/sh',
      '/usr/bin/dash',
      '/usr/bin/id',
      '/usr/bin/rm',
    ]) {
      expect(effective(text, exe).has('x'), exe).toBe(true);
    }
    for (const exe of ['/usr/bin/curl', '/usr/bin/bash', '/usr/bin/perl', '/usr/bin/apt-get', '/tmp/x', '/app/run.sh', '/opt/venv/lib/x']) {
      expect(effective(text, exe).has('x'), exe).toBe(false);
    }
    // Every exec rule stays in this profile (ix): no transition to another
    // profile and no unconfined exec.
    for (const rule of fileRules(text).filter((r) => !r.deny && /x/.test(r.perms))) {
      expect(rule.perms, rule.glob).toMatch(/ix/);
      expect(rule.perms, rule.glob).not.toMatch(/[PpUuCc]x/);
    }
  });

  it('reads what gunicorn and Python need from /etc, /proc and /sys', () => {
    const { text } = render();
    for (const path of [
      '/etc/passwd',
      '/etc/group',
      '/etc/nsswitch.conf',
      '/etc/localtime',
      '/etc/hosts',
      '/proc/1/fd/',
      '/proc/1/status',
      '/proc/42/cmdline',
      '/proc/1/attr/current',
      '/sys/devices/system/cpu/online',
      '/sys/devices/system/cpu/cpu0/topology/core_id',
    ]) {
      expect(effective(text, path).has('r'), path).toBe(true);
    }
  });

  it('denies password hashes whatever the process user, and kernel interfaces', () => {
    const { text } = render();
    for (const path of ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-']) {
      expect(perms(text, path), path).toBe('');
    }
    expect(ruleLines(text)).toContain('audit deny /etc/{shadow,gshadow}{,-} rwkl,');
    // No owner-conditional rules: the profile must hold for root too.
    expect(ruleLines(text).some((l) => /^(audit\s+)?(deny\s+)?owner\b/.test(l))).toBe(false);
    for (const path of [
      '/proc/sysrq-trigger',
      '/proc/kcore',
      '/proc/1/mem',
      '/proc/1/environ',
      '/dev/mem',
      '/dev/kmem',
      '/sys/firmware/efi/efivars/x',
      '/sys/kernel/security/apparmor/profiles',
      '/sys/devices/virtual/powercap/intel-rapl/intel-rapl:0/energy_uj',
    ]) {
      expect(perms(text, path), path).toBe('');
    }
    for (const path of [
      '/proc/sys/kernel/core_pattern',
      '/proc/sys/net/ipv4/ip_forward',
      '/proc/1/attr/current',
      '/proc/1/oom_score_adj',
      '/sys/fs/cgroup/cgroup.procs',
      '/sys/class/net/eth0/mtu',
    ]) {
      expect(effective(text, path).has('w'), path).toBe(false);
    }
    expect(ruleLines(text)).toEqual(expect.arrayContaining(['deny @{PROC}/** wklx,', 'deny @{sys}/** wklx,']));
  });
});

describe('AppArmor profile: network, capabilities, mounts, signals', () => {
  it('serves TCP, allows UDP only with egress, and denies raw and packet sockets', () => {
    for (const c of MATRIX) {
      const rules = networkRules(renderApparmor(c, deriveFacts(c))[0]!.content);
      expect(rules).toEqual(
        expect.arrayContaining([
          'network inet stream,',
          'network inet6 stream,',
          'network unix stream,',
          'audit deny network inet raw,',
          'audit deny network inet6 raw,',
          'audit deny network packet,',
        ]),
      );
      const udp = rules.filter((r) => /^network inet6? dgram,$/.test(r));
      expect(udp).toHaveLength(c.egress === 'dns-tcp' ? 2 : 0);
      // Nothing allows a bare `network,` or raw/packet sockets.
      for (const r of rules.filter((l) => !/deny/.test(l))) {
        expect(r).not.toMatch(/^network,$|raw|packet/);
      }
    }
  });

  it('denies every capability when none is added', () => {
    const { text } = render({ capAdd: [] });
    expect(capabilityRules(text)).toEqual(['deny capability,']);
  });

  it('allows exactly the added capabilities and denies every other one by name', () => {
    const { text } = render({ capAdd: ['NET_BIND_SERVICE'], port: 80, publish: [80] });
    const rules = capabilityRules(text);
    expect(rules.filter((r) => !r.startsWith('deny'))).toEqual(['capability net_bind_service,']);
    // A blanket deny would cancel the allow rule.
    expect(rules).not.toContain('deny capability,');
    expect(rules).not.toContain('deny capability net_bind_service,');
    const denied = rules.filter((r) => r.startsWith('deny')).map((r) => r.replace(/^deny capability (\w+),$/, '$1'));
    expect(denied.sort()).toEqual(APPARMOR_CAPABILITIES.filter((cap) => cap !== 'net_bind_service').sort());
    for (const dangerous of ['sys_admin', 'net_raw', 'sys_ptrace', 'dac_override', 'setuid', 'sys_module', 'bpf']) {
      expect(denied).toContain(dangerous);
    }
  });

  it('denies mounts, pivot_root and tracing; the runtime may signal and the profile signals itself', () => {
    const { text } = render({ name: 'shop' });
    const lines = ruleLines(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        'deny mount,',
        'deny umount,',
        'deny pivot_root,',
        'deny ptrace (trace),',
        'ptrace (read) peer=pyconfine-shop,',
        'signal (receive) peer=unconfined,',
        'signal (receive) peer=runc,',
        'signal (receive) peer=crun,',
        'signal (send, receive) peer=pyconfine-shop,',
      ]),
    );
    // No allow rule for mounts, tracing others or sending signals outside the profile.
    expect(lines.filter((l) => /^(mount|umount|pivot_root|change_profile)\b/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^ptrace\b/.test(l) && /trace\)/.test(l))).toEqual([]);
    for (const l of lines.filter((x) => /^signal\b/.test(x) && /send/.test(x))) {
      expect(l).toBe('signal (send, receive) peer=pyconfine-shop,');
    }
  });
});

describe('AppArmor profile: unsafe or conflicting input', () => {
  it('refuses a writable path that overlaps the app or the venv', () => {
    for (const path of ['/app', '/app/uploads', '/opt', '/opt/venv/cache']) {
      const c = exampleConfig({ volumes: [{ path, purpose: 'data' }] });
      expect(() => renderApparmor(c, deriveFacts(c)), path).toThrow(/overlaps the read-only tree/);
    }
    const c = exampleConfig({
      volumes: [
        { path: '/application-data', purpose: 'data' },
        { path: '/home/app/.cache', purpose: 'cache' },
      ],
    });
    expect(renderApparmor(c, deriveFacts(c))).toHaveLength(1);
  });

  it('refuses dot segments that would let a volume reach the app tree', () => {
    for (const path of ['/data/../app', '/data/./x', '/..']) {
      const c = exampleConfig({ volumes: [{ path, purpose: 'sneaky' }] });
      expect(() => renderApparmor(c, deriveFacts(c)), path).toThrow(/not a plain absolute path/);
    }
  });

  it('passes every Config/Facts path through the AppArmor path check', () => {
    const c = exampleConfig();
    const f = deriveFacts(c);
    const bad: Partial<Facts>[] = [
      { writablePaths: ['/data, /', '/tmp'] },
      { writablePaths: ['/data /etc/shadow', '/tmp'] },
      { appDir: '/app/**' },
      { venvDir: '/opt/venv\n  /** rwx' },
      { apparmorProfile: 'pyconfine-web flags=(complain)' },
    ];
    for (const patch of bad) {
      expect(() => renderApparmor(c, { ...f, ...patch }), JSON.stringify(patch)).toThrow(/AppArmor profile/);
    }
  });

  it('adds the program of a custom command, unless it lives in a writable path', () => {
    const ok = render({ framework: 'custom', command: ['/usr/local/bin/hypercorn', '--bind', '0.0.0.0:8000', 'app:app'] });
    expect(effective(ok.text, '/usr/local/bin/hypercorn').has('x')).toBe(true);
    const venv = render({ framework: 'custom', command: ['/opt/venv/bin/daphne', 'app:app'] });
    expect(venv.text).not.toContain('# The custom command');
    const c = exampleConfig({
      framework: 'custom',
      command: ['/data/bin/server'],
      volumes: [{ path: '/data', purpose: 'data' }],
    });
    expect(() => renderApparmor(c, deriveFacts(c))).toThrow(/writable path \/data/);
  });
});

describe('AppArmor profile snapshots', () => {
  for (const framework of ['django', 'flask', 'fastapi'] as const) {
    it(`${framework}`, async () => {
      const { text } = render({
        name: framework,
        framework,
        server: FRAMEWORK_INFO[framework].defaultServer,
        appModule: FRAMEWORK_INFO[framework].appModule[FRAMEWORK_INFO[framework].defaultServer],
        egress: framework === 'django' ? 'dns-tcp' : 'none',
        volumes: framework === 'flask' ? [{ path: '/data', purpose: 'uploads' }] : [],
      });
      await expect(text).toMatchFileSnapshot(`./__snapshots__/apparmor-${framework}.profile`);
    });
  }
});
