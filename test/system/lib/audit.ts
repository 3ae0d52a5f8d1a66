/**
 * Kernel audit records of seccomp `SCMP_ACT_LOG` decisions, read through
 * auditd (dmesg alone is rate-limited to a handful of records).
 *
 * If an auditd is already registered with the kernel, its log file is read.
 * Otherwise one is started with a private configuration (its own log file, no
 * rotation, no plugins) and stopped again by `stop()`; the kernel's previous
 * backlog and rate-limit settings are restored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { must, run, sleep } from './proc.js';
import { syscallName } from './seccomp.js';

const X86_64 = 'c000003e';

interface AuditStatus {
  pid: number;
  backlogLimit: number;
  rateLimit: number;
  backlogWaitTime: number;
}

async function auditStatus(): Promise<AuditStatus> {
  const r = await must('auditctl', ['-s'], { timeoutMs: 10_000 });
  const num = (key: string): number => Number(new RegExp(`^${key} (\\d+)`, 'm').exec(r.stdout)?.[1] ?? '0');
  return { pid: num('pid'), backlogLimit: num('backlog_limit'), rateLimit: num('rate_limit'), backlogWaitTime: num('backlog_wait_time') };
}

async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface SyscallUse {
  readonly name: string;
  readonly nr: number;
  readonly count: number;
  readonly comms: readonly string[];
}

export class AuditLog {
  private constructor(
    readonly logFile: string,
    private readonly daemon: ChildProcess | null,
    private readonly previous: AuditStatus,
  ) {}

  /** Attach to the running auditd or start a private one under `dir`. */
  static async start(dir: string): Promise<AuditLog> {
    const previous = await auditStatus();
    let daemon: ChildProcess | null = null;
    let logFile: string;
    if (previous.pid > 0 && (await processAlive(previous.pid))) {
      // Read the running daemon's own configuration (`-c DIR`, default /etc/audit).
      const argv = (await readFile(`/proc/${previous.pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
      const at = argv.indexOf('-c');
      const confDir = at >= 0 && argv[at + 1] ? argv[at + 1]! : '/etc/audit';
      const conf = await readFile(join(confDir, 'auditd.conf'), 'utf8').catch(() => '');
      logFile = /^\s*log_file\s*=\s*(\S+)/m.exec(conf)?.[1] ?? '/var/log/audit/audit.log';
    } else {
      await mkdir(join(dir, 'plugins'), { recursive: true });
      logFile = join(dir, 'audit.log');
      await writeFile(
        join(dir, 'auditd.conf'),
        [
          'local_events = yes',
          'write_logs = yes',
          `log_file = ${logFile}`,
          'log_format = RAW',
          'flush = INCREMENTAL_ASYNC',
          'freq = 100',
          'max_log_file = 0',
          'max_log_file_action = IGNORE',
          'num_logs = 0',
          'space_left = 2',
          'space_left_action = IGNORE',
          'admin_space_left = 1',
          'admin_space_left_action = IGNORE',
          'disk_full_action = IGNORE',
          'disk_error_action = IGNORE',
          'q_depth = 4000',
          'overflow_action = IGNORE',
          `plugin_dir = ${join(dir, 'plugins')}`,
          'end_of_event_timeout = 2',
          '',
        ].join('\n'),
      );
      daemon = spawn('auditd', ['-n', '-c', dir], { stdio: 'ignore', detached: false });
      const deadline = Date.now() + 15_000;
      for (;;) {
        const s = await auditStatus();
        if (s.pid === daemon.pid) break;
        if (daemon.exitCode !== null || Date.now() > deadline) {
          daemon.kill('SIGKILL');
          throw new Error(`auditd did not register with the kernel (exit ${daemon.exitCode}); is another audit daemon starting?`);
        }
        await sleep(200);
      }
    }
    // A deep backlog, no rate limit, and a long wait instead of dropping records:
    // a Python server makes tens of thousands of system calls while it starts.
    await must('auditctl', ['-b', '65536', '-r', '0', '--backlog_wait_time', '60000'], { timeoutMs: 10_000 });
    return new AuditLog(logFile, daemon, previous);
  }

  /** Current end of the log: records after this offset belong to what follows. */
  async mark(): Promise<number> {
    return (await stat(this.logFile).catch(() => ({ size: 0 }))).size;
  }

  /**
   * Raw lines written since `offset`, up to a marker sent through the kernel
   * after the workload (so every earlier record has been written).
   */
  async linesSince(offset: number): Promise<string[]> {
    const marker = `pyconfine-system-${process.pid}-${Date.now()}`;
    await must('auditctl', ['-m', marker], { timeoutMs: 10_000 });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const text = await this.readFrom(offset);
      const at = text.indexOf(marker);
      if (at >= 0) return text.slice(0, at).split('\n');
      if (Date.now() > deadline) throw new Error(`audit marker never reached ${this.logFile}`);
      await sleep(200);
    }
  }

  private async readFrom(offset: number): Promise<string> {
    const fh = await open(this.logFile, 'r');
    try {
      const { size } = await fh.stat();
      const from = size < offset ? 0 : offset; // rotated by someone else's auditd
      const buf = Buffer.alloc(size - from);
      await fh.read(buf, 0, buf.length, from);
      return buf.toString('utf8');
    } finally {
      await fh.close();
    }
  }

  /**
   * x86_64 system calls logged by seccomp for processes running as `uid`,
   * leaving out the records `exclude` rejects (by command name and call name;
   * audit reports host PIDs, which a process inside the container cannot know).
   */
  async seccompSyscalls(
    lines: readonly string[],
    uid: number,
    exclude: (rec: { comm: string; name: string }) => boolean = () => false,
  ): Promise<SyscallUse[]> {
    const records: { nr: number; comm: string }[] = [];
    for (const line of lines) {
      if (!line.startsWith('type=SECCOMP ')) continue;
      if (!new RegExp(`\\buid=${uid}\\b`).test(line)) continue;
      if (!line.includes(`arch=${X86_64}`)) continue;
      const nr = Number(/\bsyscall=(\d+)/.exec(line)?.[1] ?? NaN);
      if (Number.isNaN(nr)) continue;
      records.push({ nr, comm: /\bcomm="([^"]*)"/.exec(line)?.[1] ?? '?' });
    }
    const names = new Map<number, string>();
    for (const nr of new Set(records.map((r) => r.nr))) names.set(nr, await syscallName(nr));
    const byName = new Map<string, { nr: number; count: number; comms: Set<string> }>();
    for (const r of records) {
      const name = names.get(r.nr)!;
      if (exclude({ comm: r.comm, name })) continue;
      const entry = byName.get(name) ?? { nr: r.nr, count: 0, comms: new Set<string>() };
      entry.count++;
      entry.comms.add(r.comm);
      byName.set(name, entry);
    }
    return [...byName].map(([name, e]) => ({ name, nr: e.nr, count: e.count, comms: [...e.comms].sort() })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Kernel counter of audit records dropped (must not grow during a run). */
  async lost(): Promise<number> {
    const r = await run('auditctl', ['-s'], { timeoutMs: 10_000 });
    return Number(/^lost (\d+)/m.exec(r.stdout)?.[1] ?? '0');
  }

  async stop(): Promise<void> {
    await run('auditctl', [
      '-b', String(this.previous.backlogLimit || 64),
      '-r', String(this.previous.rateLimit),
      '--backlog_wait_time', String(this.previous.backlogWaitTime || 15000),
    ], { timeoutMs: 10_000 });
    if (this.daemon && this.daemon.exitCode === null) {
      this.daemon.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      while (this.daemon.exitCode === null && this.daemon.signalCode === null && Date.now() < deadline) await sleep(100);
      if (this.daemon.exitCode === null && this.daemon.signalCode === null) this.daemon.kill('SIGKILL');
    }
  }
}
