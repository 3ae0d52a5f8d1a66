/**
 * Syscall knowledge for the seccomp profiles, as plain data.
 *
 *   per-arch tables ─┐
 *   strict groups ───┼─▶ render/seccomp.ts picks groups for the Config ─▶ Docker/OCI JSON
 *   baseline groups ─┤
 *   arg-filtered rules (clone, clone3, socket, personality)
 *   deny-list ───────┘   (subtracted last: never allowed, whatever else is selected)
 *
 * Sources, cited where they are used below:
 * - Measurements (strace -f, every syscall name of every process) of gunicorn 20.1 (sync and
 *   gthread) and uvicorn 0.17 (asyncio and uvloop; standalone and as gunicorn worker) serving
 *   Flask, Django (SQLite) and FastAPI on Debian 12 (glibc 2.36, CPython 3.11), as the
 *   unprivileged UID 10001, under catatonit and tini, with 40 requests, outbound DNS + TCP,
 *   the HEALTHCHECK one-liner and the generated smoke test; SIGTERM at the end. The measured sets
 *   are pinned in test/unit/seccomp-measured.test.ts, which checks that every strict profile
 *   covers them. Under runc, gunicorn + Flask needed 62 syscalls (audit log, SCMP_ACT_LOG).
 *   The resulting strict profiles then ran those servers in podman 4.3 + runc 1.1 (read-only
 *   root, cap-drop ALL, no-new-privileges, --init): requests, outbound DNS + TCP, HEALTHCHECK and
 *   smoke test passed; the egress-none profile made the outbound lookup fail, as intended.
 * - runc libcontainer/standard_init_linux.go and libcontainer/utils (v1.1): what the runtime
 *   itself runs between loading the filter and execve.
 * - tini src/tini.c and catatonit catatonit.c: what the `--init` process needs.
 * - Moby's default profile (profiles/seccomp/default.json) for the argument filters, the
 *   archMap and the clone3 → ENOSYS convention; the baseline level covers what it allows on
 *   64-bit x86 and Arm, written out here by category, minus DENIED_SYSCALLS.
 * - Linux UAPI headers for flag and constant values (linux/sched.h, linux/socket.h,
 *   linux/personality.h) and the per-architecture syscall tables as libseccomp 2.5 resolves them
 *   (`scmp_sys_resolver -a x86_64|aarch64 NAME`; test/tools/seccomp-resolver.test.ts proves every
 *   name used in this file against it).
 */
import type { Arch } from '../config/schema.js';

/** Architecture names as libseccomp and `scmp_sys_resolver -a` spell them. */
export type SeccompArch = 'x86_64' | 'aarch64';
export const SECCOMP_ARCHES: readonly SeccompArch[] = ['x86_64', 'aarch64'];

/** Config arch (Docker platform name) → libseccomp arch name. */
export const SECCOMP_ARCH_OF: Readonly<Record<Arch, SeccompArch>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
};

export interface ArchMapEntry {
  readonly architecture: string;
  readonly subArchitectures: readonly string[];
}

/**
 * The `archMap` entry per Config arch, as Docker's and podman's profile loaders expect: they keep
 * the entry whose `architecture` matches the host and add its sub-architectures (32-bit x86 and
 * x32 on amd64, 32-bit Arm on arm64) to the filter, the same pairs Moby's default profile uses.
 */
export const SCMP_ARCH: Readonly<Record<Arch, ArchMapEntry>> = {
  amd64: { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
  arm64: { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
};

/**
 * Syscalls that exist on x86_64 but not on aarch64, each with the call aarch64 (the generic
 * asm-generic/unistd.h table) offers instead, or null when there is none. glibc and musl use the
 * replacement on aarch64, so a group that lists an x86_64-only name must also list its
 * replacement (checked by the unit tests). This is the complete x86_64-minus-aarch64 difference of
 * libseccomp 2.5's tables.
 */
export const X86_64_ONLY: Readonly<Record<string, string | null>> = {
  _sysctl: null,
  access: 'faccessat',
  afs_syscall: null,
  alarm: 'setitimer',
  arch_prctl: null,
  chmod: 'fchmodat',
  chown: 'fchownat',
  creat: 'openat',
  create_module: null,
  dup2: 'dup3',
  epoll_create: 'epoll_create1',
  epoll_ctl_old: null,
  epoll_wait: 'epoll_pwait',
  epoll_wait_old: null,
  eventfd: 'eventfd2',
  fork: 'clone',
  futimesat: 'utimensat',
  get_kernel_syms: null,
  get_thread_area: null,
  getdents: 'getdents64',
  getpgrp: 'getpgid',
  getpmsg: null,
  inotify_init: 'inotify_init1',
  ioperm: null,
  iopl: null,
  lchown: 'fchownat',
  link: 'linkat',
  lstat: 'newfstatat',
  mkdir: 'mkdirat',
  mknod: 'mknodat',
  modify_ldt: null,
  open: 'openat',
  pause: 'rt_sigsuspend',
  pipe: 'pipe2',
  poll: 'ppoll',
  putpmsg: null,
  query_module: null,
  readlink: 'readlinkat',
  rename: 'renameat',
  rmdir: 'unlinkat',
  security: null,
  select: 'pselect6',
  set_thread_area: null,
  signalfd: 'signalfd4',
  stat: 'newfstatat',
  symlink: 'symlinkat',
  sysfs: null,
  time: 'clock_gettime',
  tuxcall: null,
  unlink: 'unlinkat',
  uselib: null,
  ustat: null,
  utime: 'utimensat',
  utimes: 'utimensat',
  vfork: 'clone',
  vserver: null,
};

/**
 * Syscalls that exist on aarch64 but not on x86_64: none. aarch64 uses the generic table, and
 * x86_64 has every generic call as well (libseccomp 2.5's tables; proven by the tools tests).
 * Kept as a table so that a future architecture-specific name has a place to go.
 */
export const AARCH64_ONLY: Readonly<Record<string, string | null>> = {};

export const ARCH_ONLY: Readonly<Record<SeccompArch, Readonly<Record<string, string | null>>>> = {
  x86_64: X86_64_ONLY,
  aarch64: AARCH64_ONLY,
};

/** The one architecture a name is limited to, or null when it exists on every known arch. */
export function archOnly(name: string): SeccompArch | null {
  for (const arch of SECCOMP_ARCHES) if (Object.hasOwn(ARCH_ONLY[arch], name)) return arch;
  return null;
}

/** Whether a (known) syscall name exists on the given architecture. */
export function existsOn(name: string, arch: SeccompArch): boolean {
  const only = archOnly(name);
  return only === null || only === arch;
}

// ---------------------------------------------------------------------------------------------
// Deny-list
// ---------------------------------------------------------------------------------------------

/**
 * Never allowed, whatever level or answers: each would let a process escape or weaken the
 * container, reach kernel attack surface no web service needs, or change host-wide state. Most
 * also need a capability that pyconfine drops; the filter is the second lock on the same door.
 */
export const DENY_REASONS: Readonly<Record<string, string>> = {
  // Mounts and the root directory (all need CAP_SYS_ADMIN or CAP_SYS_CHROOT).
  mount: 'mounts file systems: the classic container escape path',
  umount2: 'unmounts file systems, e.g. the masks over /proc and /sys',
  fsopen: 'new mount API: creates a file-system context',
  fsconfig: 'new mount API: configures a file-system context',
  fsmount: 'new mount API: turns a context into a mount',
  fspick: 'new mount API: reconfigures an existing mount',
  move_mount: 'new mount API: attaches or moves mounts',
  open_tree: 'new mount API: clones mount trees',
  mount_setattr: 'changes mount attributes (read-only, idmapped, propagation)',
  pivot_root: 'swaps the root file system',
  chroot: 'changes the root directory; a building block of escapes',
  // Namespaces.
  unshare: 'creates namespaces (user namespaces unlock kernel attack surface)',
  setns: 'joins other namespaces',
  // Inspecting or steering other processes.
  ptrace: 'reads and writes other processes’ memory and registers',
  process_vm_readv: 'reads another process’s memory',
  process_vm_writev: 'writes another process’s memory',
  process_madvise: 'gives memory advice for another process',
  kcmp: 'compares kernel objects of other processes (ptrace-class check)',
  pidfd_getfd: 'steals a file descriptor from another process',
  // Kernel programmability and observation.
  bpf: 'loads eBPF programs into the kernel',
  perf_event_open: 'kernel performance counters: a rich source of kernel bugs and side channels',
  lookup_dcookie: 'kernel profiling interface (oprofile)',
  userfaultfd: 'user-space page-fault handling, used to win kernel races in exploits',
  io_uring_setup: 'io_uring bypasses per-syscall filtering and has a long CVE history',
  io_uring_enter: 'io_uring bypasses per-syscall filtering and has a long CVE history',
  io_uring_register: 'io_uring bypasses per-syscall filtering and has a long CVE history',
  // Kernel keyring.
  keyctl: 'kernel keyring is not namespaced: keys leak across containers',
  add_key: 'kernel keyring is not namespaced: keys leak across containers',
  request_key: 'kernel keyring is not namespaced: keys leak across containers',
  // Kernel code and boot.
  kexec_load: 'loads a new kernel',
  kexec_file_load: 'loads a new kernel',
  init_module: 'loads kernel modules',
  finit_module: 'loads kernel modules',
  delete_module: 'unloads kernel modules',
  create_module: 'obsolete module loading',
  query_module: 'obsolete module loading',
  get_kernel_syms: 'obsolete module loading',
  reboot: 'reboots the host or enables Ctrl-Alt-Del',
  swapon: 'changes host swap',
  swapoff: 'changes host swap',
  // Host-wide state.
  settimeofday: 'sets the host clock (the clock is not namespaced)',
  clock_settime: 'sets the host clock (the clock is not namespaced)',
  clock_adjtime: 'adjusts the host clock (the clock is not namespaced)',
  adjtimex: 'adjusts the host clock (the clock is not namespaced)',
  sethostname: 'renames the host or the UTS namespace',
  setdomainname: 'renames the NIS domain',
  acct: 'switches process accounting on or off for the host',
  quotactl: 'manages disk quotas',
  quotactl_fd: 'manages disk quotas',
  syslog: 'reads and clears the kernel log (addresses that defeat KASLR)',
  vhangup: 'hangs up the controlling terminal',
  nfsservctl: 'removed NFS server interface',
  _sysctl: 'removed binary sysctl interface',
  uselib: 'obsolete a.out library loading with a CVE history',
  // Handles and direct hardware access.
  open_by_handle_at: 'opens files by handle, bypassing path checks (the "shocker" escape)',
  name_to_handle_at: 'makes file handles for open_by_handle_at',
  iopl: 'raw I/O port access',
  ioperm: 'raw I/O port access',
  modify_ldt: '16-bit segment tricks on x86 with a CVE history; no Python code uses them',
  fanotify_init: 'file-system-wide event monitoring',
  // NUMA placement (CAP_SYS_NICE in Moby's profile).
  mbind: 'NUMA memory policy affecting host placement',
  set_mempolicy: 'NUMA memory policy affecting host placement',
  migrate_pages: 'moves other processes’ pages between NUMA nodes',
  move_pages: 'moves other processes’ pages between NUMA nodes',
};

/** The deny-list, sorted. */
export const DENIED_SYSCALLS: readonly string[] = Object.keys(DENY_REASONS).sort();

// ---------------------------------------------------------------------------------------------
// Arguments and constants
// ---------------------------------------------------------------------------------------------

/**
 * CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
 * CLONE_NEWNET (linux/sched.h) = 0x7E020000 = 2114060288, the mask Moby's default profile tests
 * arg0 of clone against. CLONE_NEWTIME (0x80) is not in it: in clone()'s flags that bit belongs to
 * the exit signal, so time namespaces can only be made with clone3 or unshare, both refused.
 */
export const CLONE_NAMESPACE_MASK = 0x7e020000;

/** errno values the profile returns. */
export const EPERM = 1;
export const ENOSYS = 38;

/** Address families (linux/socket.h). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

/**
 * Families a strict profile lets `socket` create: local sockets, IPv4 and IPv6. AF_NETLINK is left
 * out on purpose: glibc's getaddrinfo only uses it in __check_pf (sysdeps/unix/sysv/linux/
 * check_pf.c, for AI_ADDRCONFIG and RFC 3484 sorting), and when the netlink socket cannot be
 * opened it assumes both IPv4 and IPv6 are configured ("be pessimistic") and resolution goes on.
 * The measured servers, the HEALTHCHECK and outbound DNS + TCP never opened one. Raw and packet
 * sockets need CAP_NET_RAW, which is dropped.
 */
export const STRICT_SOCKET_FAMILIES: readonly number[] = [AF_UNIX, AF_INET, AF_INET6];
/** baseline adds AF_NETLINK for native extensions that list interfaces (getifaddrs, psutil). */
export const BASELINE_SOCKET_FAMILIES: readonly number[] = [AF_UNIX, AF_INET, AF_INET6, AF_NETLINK];

/**
 * personality(2) values Moby's default profile accepts (linux/personality.h): PER_LINUX,
 * PER_LINUX32, UNAME26, PER_LINUX32|UNAME26 and 0xffffffff (query without change). Everything else,
 * notably ADDR_NO_RANDOMIZE (turns ASLR off) and READ_IMPLIES_EXEC, stays denied.
 */
export const SAFE_PERSONALITIES: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

export interface SyscallGroup {
  /** Stable identifier (tests and stats refer to it). */
  readonly id: string;
  /** Why the group is in the profile; rendered as the rule's `comment`. */
  readonly comment: string;
  /** Names as the kernel tables spell them; x86_64-only names come with their replacement. */
  readonly names: readonly string[];
}

/**
 * Names governed by an argument-filtered or errno rule (see render/seccomp.ts). They never appear
 * in a group's unconditional list.
 */
export const CONDITIONAL_SYSCALLS: readonly string[] = ['clone', 'clone3', 'socket', 'personality'];

/**
 * The OCI runtime between loading the filter and execve. With no-new-privileges, runc loads the
 * filter as late as it can, then closes its sync pipes, re-opens the exec FIFO through
 * /proc/self/fd, checks with fstatfs that /proc is procfs, marks inherited descriptors
 * close-on-exec (close_range in newer runc, else a /proc/self/fd walk with fcntl) and execs; its Go
 * runtime may run meanwhile (futex, signals, memory, new threads). The same happens for every
 * `docker exec` and HEALTHCHECK process.
 */
export const RUNTIME_GROUP: SyscallGroup = {
  id: 'runtime',
  comment: 'OCI runtime (runc/crun) after loading this filter: re-open the exec FIFO via /proc/self/fd, check /proc with fstatfs, mark fds close-on-exec, execve; Go runtime housekeeping meanwhile',
  names: [
    'execve', 'fstatfs', 'openat', 'close', 'close_range', 'getdents64', 'fcntl', 'read', 'write',
    'newfstatat', 'futex', 'nanosleep', 'sched_yield', 'epoll_ctl', 'epoll_pwait',
    'rt_sigprocmask', 'rt_sigreturn', 'sigaltstack', 'mmap', 'munmap', 'madvise', 'tgkill',
    'getpid', 'gettid', 'exit', 'exit_group',
  ],
};

/**
 * `docker run --init` (docker-init = tini) and podman's catatonit as PID 1: block signals and wait
 * for them (tini: rt_sigtimedwait; catatonit: signalfd4), become a child subreaper (prctl), fork
 * the app, put it in its own process group (setpgid, getpgrp/getpgid, tcsetpgrp → ioctl), forward
 * signals (kill) and reap (wait4).
 */
export const INIT_GROUP: SyscallGroup = {
  id: 'init',
  comment: 'PID 1 from --init (tini/docker-init, catatonit): wait for signals, fork the server into its own process group, forward signals, reap zombies',
  names: [
    'rt_sigtimedwait', 'rt_sigaction', 'signalfd4', 'prctl', 'setpgid', 'getpgrp', 'getpgid',
    'ioctl', 'kill', 'wait4', 'getppid',
  ],
};

/**
 * CPython itself: dynamic loading, imports (.py/.so lookups), the allocator, threads (glibc's
 * pthread_create tries clone3, gets ENOSYS, uses clone), signals, time, randomness, subprocess
 * (vfork/clone, pipes, close_range, execve, wait4).
 */
export const PYTHON_GROUP: SyscallGroup = {
  id: 'python',
  comment: 'CPython: loader, imports, allocator, threads (futex, rseq, robust lists), signals, clocks, getrandom, subprocess',
  names: [
    // memory and threads
    'brk', 'mmap', 'mprotect', 'mremap', 'munmap', 'madvise', 'arch_prctl', 'set_tid_address',
    'set_robust_list', 'rseq', 'futex', 'sched_getaffinity', 'sched_yield', 'prlimit64',
    'getrandom',
    // files (read side) and descriptors
    'openat', 'close', 'close_range', 'read', 'pread64', 'write', 'writev', 'lseek',
    'fstat', 'newfstatat', 'statx', 'statfs', 'fstatfs', 'getdents64', 'readlink', 'readlinkat',
    'access', 'faccessat', 'faccessat2', 'ioctl', 'fcntl', 'dup', 'dup2', 'dup3', 'pipe2',
    'getcwd', 'chdir', 'umask',
    // identity and system
    'getuid', 'geteuid', 'getgid', 'getegid', 'getgroups', 'getpid', 'getppid', 'gettid',
    'uname', 'sysinfo',
    // processes and signals
    'execve', 'vfork', 'wait4', 'exit', 'exit_group', 'kill', 'tgkill', 'rt_sigaction',
    'rt_sigprocmask', 'rt_sigreturn', 'sigaltstack', 'restart_syscall',
    // clocks: the vDSO normally answers clock_gettime, but falls back to the syscall on hosts
    // whose clocksource it cannot read (time.time() would raise EPERM there)
    'clock_gettime', 'clock_nanosleep', 'nanosleep',
  ],
};

/**
 * Writing: /tmp is always a writable tmpfs (gunicorn's worker heartbeat file, temp files,
 * uploads) and declared volumes hold data such as SQLite databases (journal writes, fdatasync,
 * unlink of the journal). CPython's os.mkdir/rmdir/rename/chmod/unlink call the plain libc
 * functions, which glibc maps to the legacy syscalls on x86_64 (Django's upload storage does
 * mkdir, rename and chmod). Read-only paths still answer EROFS to these; the filter is not what
 * protects them.
 */
export const WRITABLE_GROUP: SyscallGroup = {
  id: 'writable',
  comment: 'writes to the tmpfs and declared volumes: temp files, uploads, SQLite journals (sync, truncate, rename, unlink)',
  names: [
    'pwrite64', 'ftruncate', 'fsync', 'fdatasync', 'flock', 'unlink', 'unlinkat', 'rename',
    'renameat', 'mkdir', 'mkdirat', 'rmdir', 'chmod', 'fchmod', 'fchmodat', 'utimensat',
    'sendfile',
  ],
};

/** The HTTP listener and its event loop, common to every server. */
export const LISTENER_GROUP: SyscallGroup = {
  id: 'listener',
  comment: 'HTTP listener: bind/listen/accept4, socket options, send/receive, poll/select/epoll event loops',
  names: [
    'bind', 'listen', 'accept4', 'setsockopt', 'getsockopt', 'getsockname', 'getpeername',
    'recvfrom', 'sendto', 'shutdown', 'socketpair', 'poll', 'ppoll', 'pselect6', 'epoll_create1',
    'epoll_ctl', 'epoll_wait', 'epoll_pwait',
  ],
};

/**
 * The HEALTHCHECK (`python -c` with urllib to 127.0.0.1: socket, connect with a timeout → poll and
 * getsockopt(SO_ERROR)) and the generated smoke test run through `docker exec … sh -s` (dash
 * forks subshells, `id -G` reads the groups, `rm` unlinks, coreutils use fadvise64). These run
 * inside the container under this same filter.
 */
export const EXEC_GROUP: SyscallGroup = {
  id: 'exec',
  comment: 'HEALTHCHECK (python urllib to 127.0.0.1) and the smoke test via docker exec (sh, id, rm): connect, poll, fork, groups',
  names: [
    'connect', 'poll', 'ppoll', 'getsockopt', 'vfork', 'wait4', 'pipe2', 'dup2', 'dup3',
    'getgroups', 'fadvise64', 'unlinkat',
  ],
};

/**
 * gunicorn's arbiter and workers: the arbiter sleeps in select() on a self-pipe (glibc 2.36
 * issues pselect6, older glibc the x86_64 select syscall) and signals its workers; each worker
 * calls setuid() to its own UID (harmless without CAP_SETUID, but a refused call would stop it
 * booting), heartbeats by touching a file in --worker-tmp-dir (fchmod before 21.0, utime →
 * utimensat since) and serves files through os.sendfile (wsgi.file_wrapper). gthread workers add
 * a thread pool and a selector (epoll), already in the base groups.
 * Measured but left out: setgroups (gunicorn's initgroups); without CAP_SETGID the kernel answers
 * EPERM, the same as the filter.
 */
export const GUNICORN_GROUP: SyscallGroup = {
  id: 'gunicorn',
  comment: 'gunicorn (sync/gthread): arbiter select() loop, worker setuid to its own UID, heartbeat file (fchmod/utimensat), sendfile for file responses',
  names: [
    'select', 'pselect6', 'pipe2', 'setuid', 'setgid', 'fchmod', 'utimensat', 'umask', 'sendfile',
    'clock_nanosleep', 'kill', 'wait4', 'getppid',
  ],
};

/**
 * uvicorn (asyncio or uvloop/libuv): epoll loop, a self-pipe made with socketpair, eventfd2 for
 * libuv wake-ups, worker threads for sync endpoints and getaddrinfo, multiprocessing "spawn" for
 * --workers > 1 (vfork + execve, pipes, kill/wait4).
 */
export const UVICORN_GROUP: SyscallGroup = {
  id: 'uvicorn',
  comment: 'uvicorn (asyncio/uvloop): epoll loop, socketpair self-pipe, eventfd2 wake-ups, thread pool, spawned worker processes',
  names: [
    'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'eventfd2', 'socketpair', 'writev',
    'sched_yield', 'vfork', 'pipe2', 'kill', 'wait4', 'getsockname',
  ],
};

/**
 * Outbound DNS and TCP (a database, an API): glibc's stub resolver sends the A and AAAA queries
 * together with sendmmsg on a connected UDP socket and polls for the answers (recvfrom), falling
 * back to TCP (writev/read) for truncated answers; RFC 3484 sorting connects a UDP socket per
 * candidate and reads its source address; a TCP client connects non-blocking, polls and reads
 * SO_ERROR with getsockopt.
 */
export const EGRESS_GROUP: SyscallGroup = {
  id: 'egress',
  comment: 'outbound DNS (UDP sendmmsg/recvfrom, TCP fallback) and TCP connections (non-blocking connect, poll, getsockopt SO_ERROR, dup2/dup3 in client libraries)',
  names: [
    'connect', 'sendmmsg', 'recvfrom', 'sendto', 'poll', 'ppoll', 'getsockopt', 'setsockopt',
    'getsockname', 'getpeername', 'writev', 'dup2', 'dup3',
  ],
};

/**
 * A small, documented safety margin for strict, for calls the measurement (glibc 2.36) could not
 * show: glibc before 2.33 (Debian 11 based images) implements stat/lstat with the x86_64 stat and
 * lstat syscalls and select() with select, where newer glibc uses newfstatat and pselect6; glibc
 * 2.39+ built with CET gives each new thread a shadow stack with map_shadow_stack when the CPU and
 * kernel support user shadow stacks (refusing it would break threads, and it only maps memory);
 * subprocess(start_new_session=True) calls setsid. musl (Alpine) images are not covered: musl
 * still issues several legacy x86_64 calls (open, fork, pipe, …); use `baseline` there.
 */
export const MARGIN_GROUP: SyscallGroup = {
  id: 'margin',
  comment: 'safety margin: stat/lstat/select as glibc < 2.33 issues them on x86_64, map_shadow_stack for threads under CET-enabled glibc, setsid for subprocess(start_new_session=True)',
  names: ['stat', 'lstat', 'newfstatat', 'select', 'pselect6', 'map_shadow_stack', 'setsid'],
};

/** Groups every strict profile contains, in rendering order. */
export const STRICT_CORE_GROUPS: readonly SyscallGroup[] = [
  RUNTIME_GROUP,
  INIT_GROUP,
  PYTHON_GROUP,
  WRITABLE_GROUP,
  LISTENER_GROUP,
  EXEC_GROUP,
];

/**
 * Baseline: what Moby's default profile allows unconditionally on x86_64 and aarch64, written out
 * by category, for apps with native extensions whose calls are unknown. The deny-list is
 * subtracted when the profile is built (name_to_handle_at, adjtimex, clock_adjtime, modify_ldt
 * and the ptrace family go that way). Left out on purpose: 32-bit-only names (they exist only for
 * the sub-architectures), epoll_ctl_old/epoll_wait_old (never implemented) and names libseccomp 2.5
 * cannot resolve (listmount, statmount, mseal, the *xattrat family, uretprobe), which a runtime
 * built against it would silently ignore anyway.
 */
export const BASELINE_GROUPS: readonly SyscallGroup[] = [
  {
    id: 'baseline-process',
    comment: 'baseline: processes, threads, scheduling, limits and credentials (changes need capabilities that are dropped)',
    names: [
      'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'kill',
      'tkill', 'tgkill', 'getpid', 'getppid', 'gettid', 'getpgid', 'getpgrp', 'setpgid', 'getsid',
      'setsid', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'futex',
      'futex_waitv', 'futex_wait', 'futex_wake', 'futex_requeue', 'pidfd_open',
      'pidfd_send_signal', 'process_mrelease', 'prctl', 'arch_prctl', 'get_thread_area',
      'set_thread_area', 'restart_syscall', 'capget', 'capset', 'membarrier', 'sched_yield',
      'sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr',
      'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler',
      'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'getpriority',
      'setpriority', 'ioprio_get', 'ioprio_set', 'getcpu', 'prlimit64', 'getrlimit', 'setrlimit',
      'getrusage', 'times', 'uname', 'sysinfo', 'getrandom', 'getuid', 'geteuid', 'getgid',
      'getegid', 'getresuid', 'getresgid', 'getgroups', 'setuid', 'setgid', 'setreuid', 'setregid',
      'setresuid', 'setresgid', 'setgroups', 'setfsuid', 'setfsgid', 'seccomp',
      'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
    ],
  },
  {
    id: 'baseline-signals-time',
    comment: 'baseline: signals, timers and clocks (reading, sleeping; setting the clock is denied)',
    names: [
      'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigsuspend',
      'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'signalfd',
      'signalfd4', 'pause', 'alarm', 'getitimer', 'setitimer', 'timer_create', 'timer_delete',
      'timer_getoverrun', 'timer_gettime', 'timer_settime', 'timerfd_create', 'timerfd_gettime',
      'timerfd_settime', 'clock_gettime', 'clock_getres', 'clock_nanosleep', 'nanosleep',
      'gettimeofday', 'time',
    ],
  },
  {
    id: 'baseline-memory',
    comment: 'baseline: memory mapping, locking, protection keys, memfd',
    names: [
      'brk', 'mmap', 'munmap', 'mprotect', 'mremap', 'madvise', 'mincore', 'mlock', 'mlock2',
      'mlockall', 'munlock', 'munlockall', 'msync', 'remap_file_pages', 'memfd_create',
      'memfd_secret', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'map_shadow_stack',
    ],
  },
  {
    id: 'baseline-files',
    comment: 'baseline: files, directories, links, attributes, extended attributes, notifications',
    names: [
      'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'read', 'write', 'readv',
      'writev', 'pread64', 'pwrite64', 'preadv', 'preadv2', 'pwritev', 'pwritev2', 'lseek', 'dup',
      'dup2', 'dup3', 'pipe', 'pipe2', 'fcntl', 'ioctl', 'flock', 'fsync', 'fdatasync', 'sync',
      'syncfs', 'sync_file_range', 'fallocate', 'ftruncate', 'truncate', 'fadvise64', 'readahead',
      'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'cachestat', 'stat', 'lstat',
      'fstat', 'newfstatat', 'statx', 'statfs', 'fstatfs', 'access', 'faccessat', 'faccessat2',
      'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'mkdir', 'mkdirat', 'rmdir', 'unlink',
      'unlinkat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat',
      'readlink', 'readlinkat', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown',
      'fchownat', 'lchown', 'umask', 'utime', 'utimes', 'utimensat', 'futimesat', 'mknod',
      'mknodat', 'getxattr', 'lgetxattr', 'fgetxattr', 'setxattr', 'lsetxattr', 'fsetxattr',
      'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
      'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
    ],
  },
  {
    id: 'baseline-events-aio',
    comment: 'baseline: event loops (poll, select, epoll, eventfd) and Linux AIO (io_uring stays denied)',
    names: [
      'eventfd', 'eventfd2', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait',
      'epoll_pwait', 'epoll_pwait2', 'poll', 'ppoll', 'select', 'pselect6', 'io_setup',
      'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents',
    ],
  },
  {
    id: 'baseline-network-ipc',
    comment: 'baseline: sockets (creation is filtered by family separately), System V and POSIX IPC',
    names: [
      'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername',
      'getsockopt', 'setsockopt', 'shutdown', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg',
      'sendmmsg', 'recvmmsg', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'semget', 'semop',
      'semtimedop', 'semctl', 'shmget', 'shmat', 'shmdt', 'shmctl', 'mq_open', 'mq_unlink',
      'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
    ],
  },
];
