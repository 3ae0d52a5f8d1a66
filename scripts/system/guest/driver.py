"""Runs the AppArmor checks inside the guest and prints one line per result.

Started by init.sh as root, unconfined. For each case in cases.json it puts the
case's app at /app, loads the case's profile, starts the app server confined
(`aa-exec -p PROFILE -- <the Dockerfile's CMD>`), and probes what the profile
must allow and deny, next to an unconfined control for every denial, in enforce
and then complain mode. Output protocol (one line each, on the console):

    CASE-BEGIN <case>
    RESULT <case> <check> PASS|FAIL <detail>
    DMESG <case> <apparmor audit record seen during the case>
    APPLOG <case> <line the app server printed>
    CASE-END <case> <seconds>
"""
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

PROFILES = "/sys/kernel/security/apparmor/profiles"
ENABLED = "/sys/module/apparmor/parameters/enabled"
HEALTH_TIMEOUT = 120
EXEC_SOURCE = "/usr/bin/true"
PROBE_PREFIX = ".pyconfine-probe"

# Runs confined (and as its unconfined control) via `python -c`, so the profile
# only has to allow the interpreter, as it must for the image's HEALTHCHECK.
# It reports READY and waits, so the driver can read its AppArmor label from
# outside, then attempts each operation and prints one JSON object.
PROBE_CODE = r'''
import json, os, socket, subprocess, sys
sys.stdout.write("READY\n"); sys.stdout.flush(); sys.stdin.readline()
def attempt(op):
    kind, target = op["kind"], op.get("target")
    if kind == "create":
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"pyconfine\n"); os.close(fd)
        with open(target, "rb") as f:
            if f.read() != b"pyconfine\n":
                raise OSError(5, "read back differs")
    elif kind == "modify":
        os.close(os.open(target, os.O_WRONLY | os.O_APPEND))
    elif kind == "read":
        with open(target, "rb") as f:
            f.read(1)
    elif kind == "exec":
        subprocess.run([target], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elif kind == "raw-socket":
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    else:
        raise ValueError(kind)
out = {}
for op in json.loads(sys.argv[1]):
    try:
        attempt(op)
        out[op["id"]] = {"ok": True}
    except OSError as e:
        out[op["id"]] = {"ok": False, "errno": e.errno, "error": "%s: %s" % (type(e).__name__, e)}
    except Exception as e:
        out[op["id"]] = {"ok": False, "errno": None, "error": "%s: %s" % (type(e).__name__, e)}
print(json.dumps(out))
'''

DENIED_ERRNOS = (1, 13)  # EPERM, EACCES


def emit(kind, case, *rest):
    text = " ".join([kind, case] + [str(r) for r in rest])
    print(text.replace("\r", " ").replace("\n", " | "), flush=True)


class KernelLog:
    """Reads new records from /dev/kmsg; keeps the AppArmor audit records."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)
        self.records = []

    def drain(self):
        while True:
            try:
                raw = os.read(self.fd, 8192)
            except BlockingIOError:
                return
            except OSError:  # EPIPE: records were overwritten; keep reading
                continue
            text = raw.decode("utf-8", "replace").split(";", 1)[-1].strip()
            if 'apparmor="' in text:
                self.records.append(text)

    def mark(self):
        self.drain()
        return len(self.records)

    def since(self, mark):
        self.drain()
        return self.records[mark:]


FIELD = re.compile(r'(\w+)=("([^"]*)"|\S+)')


def fields(record):
    return {m.group(1): m.group(3) if m.group(3) is not None else m.group(2)
            for m in FIELD.finditer(record)}


def matches(record, verdict, profile, op):
    f = fields(record)
    if f.get("apparmor") != verdict:
        return False
    if f.get("profile", "").split("//")[0] != profile:
        return False
    if op["kind"] == "raw-socket":
        return (f.get("operation") == "create" and f.get("sock_type") == "raw") or \
            (f.get("operation") == "capable" and f.get("capname") == "net_raw")
    wanted = {"create": {"mknod", "open"}, "modify": {"open", "truncate"},
              "read": {"open"}, "exec": {"exec", "open"}}[op["kind"]]
    return f.get("operation") in wanted and f.get("name") == op["target"]


def lo_up():
    """`ip link set lo up` without iproute2."""
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, SIOCGIFFLAGS, ifr))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        return "<%s>" % e


def proc_state(pid):
    """Process state from /proc/PID/stat ('' when gone); zombies count as gone."""
    stat = read("/proc/%d/stat" % pid)
    if stat.startswith("<"):
        return ""
    return stat.rsplit(")", 1)[1].split()[0]


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = read("/proc/%s/status" % entry)
            m = re.search(r"^PPid:\s+(\d+)", status, re.M)
            if m and int(m.group(1)) == pid:
                out.append(int(entry))
    return out


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def profile_mode(name):
    for line in read(PROFILES).splitlines():
        if line.startswith(name + " ("):
            return line[len(name) + 2:-1]
    return "not loaded"


class Case:
    def __init__(self, spec, root, klog):
        self.spec = spec
        self.id = spec["id"]
        self.name = spec["profileName"]
        self.profile = os.path.join(root, spec["profileFile"])
        self.klog = klog
        self.server = None
        self.applog = []
        self.mark = klog.mark()
        self.expected = []  # probe operations whose audit records are explained
        self.app_file = None
        self.t0 = time.monotonic()

    def result(self, check, ok, detail=""):
        elapsed = "[%.1fs]" % (time.monotonic() - self.t0)
        emit("RESULT", self.id, check, "PASS" if ok else "FAIL", detail, elapsed)

    def env(self):
        return dict(self.spec["env"])

    # --- steps -------------------------------------------------------------
    def stage(self, root):
        app = self.spec["appDir"]
        shutil.rmtree(app, ignore_errors=True)
        shutil.copytree(os.path.join(root, self.spec["appSource"]), app, symlinks=True)
        # An existing app file for the modify probe, picked before any probe runs.
        files = sorted(n for n in os.listdir(app) if os.path.isfile(os.path.join(app, n)))
        self.app_file = os.path.join(app, files[0]) if files else None
        for path in self.spec["writable"]:
            os.makedirs(path, exist_ok=True)
        for n, step in enumerate(self.spec.get("build", []), 1):
            env = self.env()
            env.update(self.spec.get("buildEnv", {}))
            r = run(["/bin/sh", "-c", step], cwd=self.spec["workdir"], env=env, timeout=180)
            self.result("build:%d" % n, r.returncode == 0, "%s -> exit %d %s" % (step, r.returncode, r.stdout[-400:]))
            if r.returncode != 0:
                return False
        return True

    def load(self, complain=False):
        argv = ["apparmor_parser", "-K", "-r"] + (["-C"] if complain else []) + [self.profile]
        r = run(argv, timeout=120)
        return r.returncode == 0, "%s -> exit %d %s" % (" ".join(argv), r.returncode, r.stdout.strip()[-600:])

    def start(self):
        argv = ["aa-exec", "-p", self.name, "--"] + self.spec["argv"]
        self.server = subprocess.Popen(
            argv, cwd=self.spec["workdir"], env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

        def pump(stream, sink):
            for line in iter(stream.readline, b""):
                sink.append(line.decode("utf-8", "replace").rstrip())
        threading.Thread(target=pump, args=(self.server.stdout, self.applog), daemon=True).start()

    def alive(self):
        return self.server is not None and self.server.poll() is None and \
            proc_state(self.server.pid) not in ("", "Z", "X")

    def wait_health(self):
        url = self.spec["healthUrl"]
        deadline = time.monotonic() + HEALTH_TIMEOUT
        last = "no attempt"
        started = time.monotonic()
        while time.monotonic() < deadline:
            if not self.alive():
                return False, "server exited (code %s) before answering %s" % (self.server.poll(), url)
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    body = resp.read(200).decode("utf-8", "replace")
                    if resp.status == 200:
                        return True, "GET %s -> 200 %s after %.1fs" % (url, body, time.monotonic() - started)
                    last = "HTTP %d" % resp.status
            except Exception as e:  # connection refused while starting
                last = "%s: %s" % (type(e).__name__, e)
            time.sleep(0.5)
        return False, "no 200 from %s within %ds (last: %s)" % (url, HEALTH_TIMEOUT, last)

    def healthcheck(self):
        """The image's HEALTHCHECK command, confined, as the runtime execs it."""
        argv = ["aa-exec", "-p", self.name, "--"] + self.spec["healthcheck"]
        try:
            r = run(argv, cwd=self.spec["workdir"], env=self.env(), stdin=subprocess.DEVNULL, timeout=60)
        except subprocess.TimeoutExpired:
            return False, "timed out after 60s"
        return r.returncode == 0, "exit %d %s" % (r.returncode, r.stdout.strip()[-400:])

    def labels(self):
        pids = [self.server.pid] + children(self.server.pid)
        return {pid: read("/proc/%d/attr/current" % pid) for pid in pids}

    def stop(self):
        if self.server is None:
            return True, "not started"
        if not self.alive():
            return False, "already exited with %s" % self.server.poll()
        t0 = time.monotonic()
        limit = self.spec["stopTimeout"]
        self.server.send_signal(signal.SIGTERM)
        try:
            code = self.server.wait(timeout=limit)
            return code == 0, "exit %d %.1fs after SIGTERM" % (code, time.monotonic() - t0)
        except subprocess.TimeoutExpired:
            return False, "still running %ds after SIGTERM" % limit
        finally:
            try:
                os.killpg(self.server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    # --- probes ------------------------------------------------------------
    def ops(self, mode):
        """Operations for one probe run; targets are unique per case and mode."""
        tag = "%s-%s-%s" % (PROBE_PREFIX, self.id, mode)
        ops = []
        for path in self.spec["writable"]:
            ops.append({"id": "write:" + path, "kind": "create", "target": "%s/%s-w" % (path, tag), "expect": "allow"})
        app = self.spec["appDir"]
        ops.append({"id": "create:" + app, "kind": "create", "target": "%s/%s" % (app, tag), "expect": "deny"})
        if self.app_file:
            ops.append({"id": "modify:" + app, "kind": "modify", "target": self.app_file, "expect": "deny"})
        for path in self.spec["writable"]:
            target = "%s/%s-x" % (path, tag)
            shutil.copyfile(EXEC_SOURCE, target)
            os.chmod(target, 0o755)
            ops.append({"id": "exec:" + path, "kind": "exec", "target": target, "expect": "deny"})
        ops.append({"id": "read:/etc/shadow", "kind": "read", "target": "/etc/shadow", "expect": "deny"})
        ops.append({"id": "raw-socket", "kind": "raw-socket", "expect": "deny"})
        return ops

    def probe(self, ops, confined):
        argv = ["python", "-c", PROBE_CODE, json.dumps(ops)]
        if confined:
            argv = ["aa-exec", "-p", self.name, "--"] + argv
        p = subprocess.Popen(argv, cwd=self.spec["workdir"], env=self.env(), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        label = "?"
        try:
            ready = p.stdout.readline()
            if ready.strip() == "READY":
                label = read("/proc/%d/attr/current" % p.pid)
            out, err = p.communicate("go\n", timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return label, None, "probe timed out: %s" % err[-300:]
        try:
            return label, json.loads(out.strip().splitlines()[-1]), ""
        except (ValueError, IndexError):
            return label, None, "probe failed (exit %s): %s %s" % (p.returncode, out[-200:], err[-400:])

    def wait_record(self, verdict, op, mark, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            for rec in self.klog.since(mark):
                if matches(rec, verdict, self.name, op):
                    return rec
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def probes(self, mode):
        """mode 'enforce': denials fail with EACCES/EPERM while the control succeeds,
        and each is logged DENIED. mode 'complain': everything succeeds, and each
        former denial is logged ALLOWED."""
        ops = self.ops(mode)
        mark = self.klog.mark()
        label, got, err = self.probe(ops, confined=True)
        want_label = "%s (%s)" % (self.name, mode)
        self.result("%s:probe-confined" % mode, label == want_label and got is not None,
                    "label %r, want %r %s" % (label, want_label, err))
        control = None
        if mode == "enforce":
            # Fresh names for files the control creates; the same binary to exec.
            ctl_ops = [dict(op, target=op["target"] + "-control") if op["kind"] == "create" else op
                       for op in ops]
            clabel, control, cerr = self.probe(ctl_ops, confined=False)
            self.result("control:unconfined", clabel == "unconfined" and control is not None,
                        "label %r %s" % (clabel, cerr))
        verdict = "DENIED" if mode == "enforce" else "ALLOWED"
        for op in ops:
            r = (got or {}).get(op["id"])
            c = (control or {}).get(op["id"])
            check = "%s:%s" % (mode, op["id"])
            if r is None:
                self.result(check, False, "no probe result: %s" % err)
                continue
            if op["expect"] == "allow" or mode == "complain":
                self.result(check, r["ok"], "%s %s" % (op.get("target", ""), "ok" if r["ok"] else r["error"]))
            else:
                ctl_ok = c is not None and c["ok"]
                denied = not r["ok"] and r.get("errno") in DENIED_ERRNOS
                self.result(check, denied and ctl_ok, "confined: %s; unconfined control: %s" % (
                    "succeeded (must be refused)" if r["ok"] else r["error"],
                    "succeeded" if ctl_ok else (c or {}).get("error", "missing")))
            if op["expect"] == "deny":
                self.expected.append(op)
                if mode == "enforce" and r["ok"]:
                    # Not refused, so there is nothing to log; do not wait for it.
                    self.result("%s-log:%s" % (mode, op["id"]), False, "not refused, so not logged")
                    continue
                rec = self.wait_record(verdict, op, mark)
                self.result("%s-log:%s" % (mode, op["id"]), rec is not None,
                            rec if rec else 'no apparmor="%s" record for %s' % (verdict, op.get("target", op["kind"])))

    def unexpected(self):
        out = []
        for rec in self.klog.since(self.mark):
            f = fields(rec)
            if f.get("apparmor") not in ("DENIED", "ALLOWED"):
                continue
            profile = f.get("profile", "")
            if profile.split("//")[0] != self.name:
                continue
            if any(matches(rec, f.get("apparmor"), self.name, op) for op in self.expected):
                continue
            # In complain mode an exec'd probe binary runs in a `//null-<path>`
            # child profile; everything it does is logged against that child.
            if any(op["kind"] == "exec" and profile == "%s//null-%s" % (self.name, op["target"])
                   for op in self.expected):
                continue
            out.append(rec)
        return out

    def report(self):
        for rec in self.klog.since(self.mark)[:400]:
            emit("DMESG", self.id, rec)
        for line in self.applog[-150:]:
            emit("APPLOG", self.id, line)


def run_case(spec, root, klog):
    case = Case(spec, root, klog)
    emit("CASE-BEGIN", case.id)
    t0 = time.monotonic()
    try:
        enabled = read(ENABLED)
        case.result("apparmor-enabled", enabled == "Y", "%s = %s" % (ENABLED, enabled))
        if not case.stage(root):
            return
        ok, detail = case.load()
        case.result("profile-load", ok, detail)
        if not ok:
            return
        mode = profile_mode(case.name)
        case.result("enforce-mode", mode == "enforce", "%s: %s" % (case.name, mode))
        if spec.get("serve", True):
            case.start()
            ok, detail = case.wait_health()
            case.result("serves-health", ok, detail)
            labels = case.labels() if case.alive() else {}
            want = "%s (enforce)" % case.name
            case.result("server-confined", bool(labels) and all(v == want for v in labels.values()),
                        "labels %s, want %r" % (labels, want))
            ok, detail = case.healthcheck()
            case.result("healthcheck-confined", ok, detail)
        case.probes("enforce")
        if spec.get("complain", True):
            ok, detail = case.load(complain=True)
            case.result("complain-load", ok and profile_mode(case.name) == "complain", detail)
            if spec.get("serve", True):
                labels = case.labels() if case.alive() else {}
                want = "%s (complain)" % case.name
                case.result("server-relabelled-complain",
                            bool(labels) and all(v == want for v in labels.values()),
                            "labels %s, want %r" % (labels, want))
            case.probes("complain")
            ok, detail = case.load()
            case.result("re-enforce", ok and profile_mode(case.name) == "enforce", detail)
        if spec.get("serve", True):
            ok, detail = case.wait_health()
            case.result("serves-health-after-probes", ok, detail)
            ok, detail = case.stop()
            case.result("stops-on-sigterm", ok, detail)
        extra = case.unexpected()
        case.result("no-unexpected-records", not extra,
                    "%d audit records not caused by a probe%s" % (len(extra), (": " + extra[0]) if extra else ""))
    except Exception as e:  # a driver bug must show as a failure, not a hang
        case.result("driver", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if case.server is not None and case.server.poll() is None:
            case.stop()
        run(["apparmor_parser", "-R", case.profile], timeout=60)
        case.report()
        emit("CASE-END", case.id, "%.1f" % (time.monotonic() - t0))


def main():
    manifest = sys.argv[1]
    root = os.path.dirname(manifest)
    with open(manifest) as f:
        spec = json.load(f)
    lo_up()
    klog = KernelLog()
    for case in spec["cases"]:
        run_case(case, root, klog)


if __name__ == "__main__":
    main()
