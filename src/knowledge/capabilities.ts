/**
 * Capability policy, as data: every container drops ALL capabilities; the only one pyconfine
 * will add back is NET_BIND_SERVICE, and only for a container port below 1024 that the user
 * keeps after being told the better option. Everything else is refused with a reason.
 *
 * Sources: capabilities(7) and linux/capability.h (names and numbers); Moby's daemon/oci_linux.go
 * (Docker ≥ 20.10 sets net.ipv4.ip_unprivileged_port_start=0 in a container's own network
 * namespace); Kubernetes lists net.ipv4.ip_unprivileged_port_start among the safe sysctls (1.22+).
 */
import { ALLOWED_CAPS } from '../config/schema.js';

/** Capabilities pyconfine ever adds back (the schema's list, re-exported for callers here). */
export const ADDABLE_CAPABILITIES: readonly string[] = ALLOWED_CAPS;

/** Ports below this need CAP_NET_BIND_SERVICE unless the network namespace lowers the limit. */
export const PRIVILEGED_PORT_LIMIT = 1024;

/** Whether a container port is a privileged port. */
export function isPrivilegedPort(port: number): boolean {
  return port < PRIVILEGED_PORT_LIMIT;
}

/** What to do instead of adding NET_BIND_SERVICE. */
export const NET_BIND_SERVICE_ADVICE =
  'listen on a port of 1024 or above inside the container (e.g. 8000) and publish it as the low port ' +
  '(-p 80:8000, a Service port 80 → targetPort 8000); Docker 20.10+ also sets ' +
  'net.ipv4.ip_unprivileged_port_start=0 in the container, and Kubernetes can set that safe sysctl in ' +
  'the pod securityContext';

/** Linux capability numbers (linux/capability.h), without the CAP_ prefix. */
export const CAPABILITY_NUMBERS = {
  CHOWN: 0,
  DAC_OVERRIDE: 1,
  DAC_READ_SEARCH: 2,
  FOWNER: 3,
  FSETID: 4,
  KILL: 5,
  SETGID: 6,
  SETUID: 7,
  SETPCAP: 8,
  LINUX_IMMUTABLE: 9,
  NET_BIND_SERVICE: 10,
  NET_BROADCAST: 11,
  NET_ADMIN: 12,
  NET_RAW: 13,
  IPC_LOCK: 14,
  IPC_OWNER: 15,
  SYS_MODULE: 16,
  SYS_RAWIO: 17,
  SYS_CHROOT: 18,
  SYS_PTRACE: 19,
  SYS_PACCT: 20,
  SYS_ADMIN: 21,
  SYS_BOOT: 22,
  SYS_NICE: 23,
  SYS_RESOURCE: 24,
  SYS_TIME: 25,
  SYS_TTY_CONFIG: 26,
  MKNOD: 27,
  LEASE: 28,
  AUDIT_WRITE: 29,
  AUDIT_CONTROL: 30,
  SETFCAP: 31,
  MAC_OVERRIDE: 32,
  MAC_ADMIN: 33,
  SYSLOG: 34,
  WAKE_ALARM: 35,
  BLOCK_SUSPEND: 36,
  AUDIT_READ: 37,
  PERFMON: 38,
  BPF: 39,
  CHECKPOINT_RESTORE: 40,
} as const;

export type Capability = keyof typeof CAPABILITY_NUMBERS;

/**
 * Why each capability stays dropped, one line each. NET_BIND_SERVICE's entry explains why it is
 * not added by default; it is the one exception the answers may unlock.
 */
export const CAPABILITY_REASONS: Readonly<Record<Capability, string>> = {
  CHOWN: 'changes file owners; the image sets ownership at build time and the app never needs to',
  DAC_OVERRIDE: 'ignores file permissions, so a read-only or other-owned file stops being protected',
  DAC_READ_SEARCH: 'reads any file and opens files by handle (the "shocker" container escape)',
  FOWNER: 'acts as the owner of any file (chmod, utime, ACLs) regardless of who owns it',
  FSETID: 'keeps set-user-ID bits on files it modifies, a way to plant setuid binaries',
  KILL: 'signals processes of other users; the app only signals its own workers, which needs nothing',
  SETGID: 'switches to any group ID, undoing the non-root group the image runs as',
  SETUID: 'switches to any user ID, including root',
  SETPCAP: 'changes capability sets and bounding sets of itself and others',
  LINUX_IMMUTABLE: 'clears immutable and append-only flags that protect files',
  NET_BIND_SERVICE: `binds ports below 1024; not needed when the app listens on a high port — ${NET_BIND_SERVICE_ADVICE}`,
  NET_BROADCAST: 'sends broadcasts and listens to multicast; a web service does not',
  NET_ADMIN: 'reconfigures interfaces, routes and firewall rules, e.g. to escape network policy',
  NET_RAW: 'opens raw and packet sockets: spoofed traffic and ARP/DNS poisoning of neighbours',
  IPC_LOCK: 'locks unlimited memory, starving the host',
  IPC_OWNER: 'bypasses permission checks on System V IPC objects of others',
  SYS_MODULE: 'loads kernel modules: arbitrary code in the host kernel',
  SYS_RAWIO: 'raw I/O ports and /dev/mem: direct hardware and kernel memory access',
  SYS_CHROOT: 'calls chroot, a building block of container escapes',
  SYS_PTRACE: 'traces and rewrites other processes, reading their secrets',
  SYS_PACCT: 'switches process accounting for the whole host',
  SYS_ADMIN: 'is close to full root: mount, namespaces, BPF, quotas and much more; the usual path out of a container, and no Python web service needs it',
  SYS_BOOT: 'reboots the host and loads new kernels',
  SYS_NICE: 'raises its own priority and moves other processes, starving the host',
  SYS_RESOURCE: 'overrides resource limits and quotas meant to contain the container',
  SYS_TIME: 'sets the host clock, which is shared by every container',
  SYS_TTY_CONFIG: 'reconfigures and hangs up terminals',
  MKNOD: 'creates device nodes that give raw access to host devices',
  LEASE: 'takes leases on files it does not own',
  AUDIT_WRITE: 'writes to the kernel audit log; only login services need it',
  AUDIT_CONTROL: 'changes kernel audit rules, hiding activity',
  SETFCAP: 'sets file capabilities, a way to mint privileged binaries',
  MAC_OVERRIDE: 'overrides mandatory access control (AppArmor, SELinux) policy',
  MAC_ADMIN: 'changes mandatory access control policy (could unload the AppArmor profile)',
  SYSLOG: 'reads the kernel log, with kernel addresses that defeat KASLR',
  WAKE_ALARM: 'sets alarms that wake the suspended host',
  BLOCK_SUSPEND: 'keeps the whole host from suspending',
  AUDIT_READ: 'reads the kernel audit stream of the whole host',
  PERFMON: 'uses perf events: kernel attack surface and side channels',
  BPF: 'loads BPF programs and maps into the kernel',
  CHECKPOINT_RESTORE: 'checkpoint/restore powers: rewrites PIDs and reads other processes’ state',
};

/** `cap_sys_admin`, `CAP_SYS_ADMIN`, ` sys_admin ` → `SYS_ADMIN`. */
export function normalizeCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

export function isKnownCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITY_NUMBERS, normalizeCapability(name));
}

/** Whether pyconfine may add this capability back (it still needs a port below 1024). */
export function isAddableCapability(name: string): boolean {
  return ADDABLE_CAPABILITIES.includes(normalizeCapability(name));
}

/**
 * One line for `--cap-add NAME`: why the capability stays dropped (or, for an unknown name, that
 * it is not a capability at all). Accepts names with or without the CAP_ prefix, any case.
 */
export function explainRefusedCapability(name: string): string {
  const cap = normalizeCapability(name);
  if (!isKnownCapability(cap)) {
    return `CAP_${cap} is not a Linux capability (known: ${Object.keys(CAPABILITY_NUMBERS).join(', ')})`;
  }
  return `CAP_${cap} ${CAPABILITY_REASONS[cap]}`;
}

/** The capability bit mask (as /proc/PID/status prints it: 16 hex digits) of a set of names. */
export function capabilityMask(names: readonly string[]): string {
  let mask = 0n;
  for (const name of names) {
    const cap = normalizeCapability(name);
    if (!isKnownCapability(cap)) throw new Error(`unknown capability ${name}`);
    mask |= 1n << BigInt(CAPABILITY_NUMBERS[cap]);
  }
  return mask.toString(16).padStart(16, '0');
}
