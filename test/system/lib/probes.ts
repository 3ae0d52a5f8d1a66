/**
 * Python probes run inside the container with `podman exec NAME python -c …`.
 * Each prints one JSON object; only the standard library (ctypes) is used,
 * because slim images carry no capsh, strace or unshare binaries.
 */

export interface ForbiddenResult {
  readonly ops: Record<string, OpOutcome>;
}

export interface OpOutcome {
  readonly ok: boolean;
  readonly errno: number;
  readonly error: string;
}

/**
 * Forbidden operations. Each is attempted for real; the parent side of
 * ptrace targets the probe's own child, which plain Linux rules would allow
 * (same UID, parent-child), so only seccomp can refuse it. `unshare` of a
 * user namespace likewise needs no privilege outside seccomp.
 */
export const FORBIDDEN_PROBE = String.raw`
import ctypes, errno, json, os, socket, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long
out = {}
def record(name, rc):
    e = ctypes.get_errno() if rc != 0 else 0
    out[name] = {"ok": rc == 0, "errno": e, "error": errno.errorcode.get(e, "") if e else ""}
def attempt(name, fn):
    try:
        fn()
        out[name] = {"ok": True, "errno": 0, "error": ""}
    except OSError as ex:
        out[name] = {"ok": False, "errno": ex.errno or 0, "error": errno.errorcode.get(ex.errno or 0, str(ex))}
ctypes.set_errno(0)
record("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
ctypes.set_errno(0)
record("unshare-user", libc.unshare(0x10000000))
ctypes.set_errno(0)
record("unshare-mount", libc.unshare(0x00020000))
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
ctypes.set_errno(0)
rc = libc.ptrace(16, child, None, None)
record("ptrace", 0 if rc == 0 else -1)
if rc == 0:
    os.waitpid(child, 0)
    libc.ptrace(17, child, None, None)
os.kill(child, 9)
os.waitpid(child, 0)
def raw():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.close()
attempt("raw-socket", raw)
def packet():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.close()
attempt("packet-socket", packet)
attempt("setuid-0", lambda: os.setuid(0))
attempt("setgid-0", lambda: os.setgid(0))
attempt("chroot", lambda: os.chroot("/tmp"))
print(json.dumps({"ops": out}))
`;

/** Operations the forbidden probe performs (names as in its JSON). */
export const FORBIDDEN_OPS = [
  'mount',
  'unshare-user',
  'unshare-mount',
  'ptrace',
  'raw-socket',
  'packet-socket',
  'setuid-0',
  'setgid-0',
  'chroot',
] as const;

/**
 * System calls the forbidden probe makes on purpose, expecting refusal.
 * Excluded from the "used" set of tightness runs when a `python` probe makes
 * them: they are attacks, not needs.
 */
export const FORBIDDEN_SYSCALLS = ['mount', 'unshare', 'ptrace', 'setuid', 'setgid', 'chroot'];

/**
 * Try to create (and remove) a file in each directory argument; also list
 * every mount point the process can create files in.
 */
export const WRITE_PROBE = String.raw`
import errno, json, os, sys
def try_write(d):
    p = os.path.join(d, ".pyconfine-system-probe-%d" % os.getpid())
    try:
        with open(p, "w") as fh:
            fh.write("x")
        os.unlink(p)
        return {"ok": True, "error": ""}
    except OSError as ex:
        return {"ok": False, "error": errno.errorcode.get(ex.errno or 0, str(ex))}
paths = {d: try_write(d) for d in sys.argv[1:]}
mounts = []
with open("/proc/self/mountinfo") as fh:
    for line in fh:
        mp = line.split()[4].replace("\\040", " ")
        if os.path.isdir(mp) and not mp.startswith(("/proc", "/sys")) and try_write(mp)["ok"]:
            mounts.append(mp)
print(json.dumps({"paths": paths, "writableMounts": sorted(set(mounts))}))
`;

/** One DNS lookup and one TCP connection, the way an app reaches a database. */
export const EGRESS_PROBE = String.raw`
import json, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
out = {}
try:
    infos = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    addr = infos[0][4][0]
    out["dns"] = {"ok": True, "address": addr}
    s = socket.create_connection((addr, port), timeout=5)
    s.sendall(b"ping\n")
    out["tcp"] = {"ok": True, "reply": s.recv(16).decode(errors="replace")}
    s.close()
except OSError as ex:
    out["error"] = "%s: %s" % (type(ex).__name__, ex)
print(json.dumps(out))
`;
