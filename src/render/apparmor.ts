/**
 * AppArmor profile → `security/apparmor/<service>` (nothing when `apparmor: off`).
 *
 * The profile text lives in templates/apparmor.ejs; this module decides what
 * goes into it: the writable set, the network family set (UDP only with
 * egress), the capability rules and any extra program a custom command runs.
 * Every path comes from Config/Facts and is printed through `apparmorPath`.
 *
 * Sources for the rules (facts, not text):
 * - apparmor.d(5) and /etc/apparmor.d/abi/3.0 for the syntax and the
 *   capability names ABI 3.0 mediates;
 * - Debian 12's /etc/apparmor.d/abstractions/{base,python,openssl,ssl_certs,nameservice}
 *   for what each abstraction already grants (nameservice: inet/inet6 stream
 *   and dgram, netlink raw);
 * - moby's docker-default template (github.com/moby/profiles, apparmor/template.go)
 *   for the container-specific parts: attach_disconnected/mediate_deleted,
 *   signals from unconfined/runc/crun, /proc and /sys write restrictions,
 *   /sys/firmware, powercap and /sys/kernel/security.
 */
import type { Config } from '../config/schema.js';
import type { Facts } from '../config/facts.js';
import type { Renderer } from './types.js';
import { renderTemplate } from './ejs.js';
import { FRAMEWORK_INFO, SERVER_INFO } from '../knowledge/frameworks.js';

/**
 * Capability names in AppArmor ABI 3.0 (the `caps` mask of
 * /etc/apparmor.d/abi/3.0), as rules spell them. When some capability is
 * allowed, every other one is denied by name: a blanket `deny capability,`
 * would also cancel the allowed ones (deny beats allow).
 */
export const APPARMOR_CAPABILITIES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid',
  'setpcap', 'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw',
  'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct',
  'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod',
  'lease', 'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog',
  'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
] as const;

/** What each tmp dir is for, shown next to its rules. */
const TMP_PURPOSE = 'tmpfs for HOME, temporary files, the server\'s worker heartbeat and control socket';

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const SAFE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
/** A comment ends at the line break: that is the only way out of one. */
const COMMENT_TEXT = /^[^\r\n\u2028\u2029]*$/;

/** `a` is `b` or lies below it. */
function within(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}

function assertPath(path: string, what: string): void {
  if (!SAFE_PATH.test(path) || path.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw new Error(`AppArmor profile: ${what} ${JSON.stringify(path)} is not a plain absolute path`);
  }
}

function comment(text: string): string {
  if (!COMMENT_TEXT.test(text)) throw new Error(`AppArmor profile: unsafe comment text ${JSON.stringify(text)}`);
  return text;
}

export interface WritableEntry {
  readonly path: string;
  readonly purpose: string;
}

/** The writable set with a purpose each, checked against the read-only trees. */
export function apparmorWritable(c: Config, f: Facts): WritableEntry[] {
  const purposes = new Map<string, string>();
  for (const vol of c.volumes) purposes.set(vol.path, `volume, ${vol.purpose}`);
  for (const dir of f.tmpDirs) if (!purposes.has(dir)) purposes.set(dir, TMP_PURPOSE);
  const seen = new Set<string>();
  const out: WritableEntry[] = [];
  for (const path of f.writablePaths) {
    if (seen.has(path)) continue;
    seen.add(path);
    assertPath(path, 'writable path');
    for (const ro of [f.appDir, f.venvDir]) {
      if (within(path, ro) || within(ro, path)) {
        throw new Error(
          `AppArmor profile: writable path ${path} overlaps the read-only tree ${ro}; ` +
            'choose a volume path outside it',
        );
      }
    }
    out.push({ path, purpose: comment(purposes.get(path) ?? 'writable') });
  }
  return out;
}

/**
 * Programs a custom command needs beyond the interpreter and the venv's
 * scripts: its first word when it is an absolute path outside those.
 */
export function apparmorExtraExec(c: Config, f: Facts, writable: readonly WritableEntry[]): string[] {
  const exe = f.argv[0];
  if (c.framework !== 'custom' || !exe || !exe.startsWith('/')) return [];
  if (within(exe, `${f.venvDir}/bin`) || /^\/usr\/(local\/)?bin\/python3[^/]*$/.test(exe)) return [];
  assertPath(exe, 'command');
  const w = writable.find((entry) => within(exe, entry.path));
  if (w) {
    throw new Error(
      `AppArmor profile: the command ${exe} lies in the writable path ${w.path}, where nothing may run`,
    );
  }
  return [exe];
}

/** Everything the template needs, computed once. */
export function apparmorData(c: Config, f: Facts): Record<string, unknown> {
  if (!PROFILE_NAME.test(f.apparmorProfile)) {
    throw new Error(`AppArmor profile: unsafe profile name ${JSON.stringify(f.apparmorProfile)}`);
  }
  assertPath(f.appDir, 'app directory');
  assertPath(f.venvDir, 'virtualenv directory');
  const writable = apparmorWritable(c, f);
  const capAllow = f.capAdd.map((cap) => {
    const name = cap.toLowerCase();
    if (!(APPARMOR_CAPABILITIES as readonly string[]).includes(name)) {
      throw new Error(`AppArmor profile: unknown capability ${JSON.stringify(cap)}`);
    }
    return name;
  });
  const capDeny = APPARMOR_CAPABILITIES.filter((cap) => !capAllow.includes(cap));
  const entryPoints =
    c.framework === 'custom' ? 'the command\'s server' : c.server === 'uvicorn' ? 'uvicorn' : 'gunicorn';
  return {
    profile: f.apparmorProfile,
    service: c.name,
    file: f.apparmorFile,
    stack: comment(`${FRAMEWORK_INFO[c.framework].label} on ${SERVER_INFO[c.server].label}`),
    appDir: f.appDir,
    venvDir: f.venvDir,
    tmpDir: f.tmpDirs[0] ?? '/tmp',
    entryPoints,
    extraExec: apparmorExtraExec(c, f, writable),
    writable,
    egress: c.egress === 'dns-tcp',
    port: c.port,
    capAllow,
    capDeny,
  };
}

export const renderApparmor: Renderer = (c, f) => {
  if (c.apparmor === 'off' || f.apparmorFile === null) return [];
  return [
    {
      path: f.apparmorFile,
      mode: 0o644,
      content: renderTemplate('apparmor.ejs', apparmorData(c, f)),
    },
  ];
};
