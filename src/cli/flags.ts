/**
 * The `init` flag table: one row per flag, used for parsing, `--help`, and
 * for naming the flag in error messages. Flags produce a partial answers
 * object with the same keys as Config.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import type { Answers } from '../config/resolve.js';

type Kind = 'string' | 'int' | 'list' | 'bool';

export interface FlagSpec {
  readonly flag: string;
  readonly kind: Kind;
  readonly value?: string;
  readonly help: string;
  /** Answers key this flag sets (dotted for nested objects). */
  readonly key?: string;
}

/** Behaviour flags (not answers). */
export const BEHAVIOUR_FLAGS: readonly FlagSpec[] = [
  { flag: 'dir', kind: 'string', value: 'DIR', help: 'target folder (default: the current folder)' },
  { flag: 'yes', kind: 'bool', help: 'accept defaults for every unanswered question; never prompt' },
  { flag: 'dry-run', kind: 'bool', help: 'print the plan and unified diffs; write nothing' },
  { flag: 'force', kind: 'bool', help: 'overwrite files that were changed since pyconfine wrote them' },
  { flag: 'json', kind: 'bool', help: 'print a machine-readable plan/result' },
  { flag: 'preset', kind: 'string', value: 'NAME|FILE', help: 'a shipped preset by name, or a JSON or YAML file of answers' },
];

/** Answer flags: each sets one Config field. */
export const ANSWER_FLAGS: readonly FlagSpec[] = [
  { flag: 'name', kind: 'string', value: 'NAME', key: 'name', help: 'service name, a DNS-1123 label (default: folder name)' },
  { flag: 'framework', kind: 'string', value: 'django|flask|fastapi|custom', key: 'framework', help: 'web framework' },
  { flag: 'python', kind: 'string', value: '3.10|3.11|3.12|3.13', key: 'python', help: 'Python version (default 3.12)' },
  { flag: 'deps', kind: 'string', value: 'pip|uv|poetry', key: 'deps', help: 'dependency manager (default pip)' },
  { flag: 'server', kind: 'string', value: 'gunicorn|uvicorn|gunicorn-uvicorn', key: 'server', help: 'app server (default per framework)' },
  { flag: 'command', kind: 'string', value: '"CMD ARGS"', key: 'command', help: 'full server command for --framework custom' },
  { flag: 'app-module', kind: 'string', value: 'MODULE:ATTR', key: 'appModule', help: 'what the server loads (default per framework)' },
  { flag: 'workers', kind: 'int', value: 'N', key: 'workers', help: 'server worker processes (default 2)' },
  { flag: 'port', kind: 'int', value: 'N', key: 'port', help: 'container port (default 8000)' },
  { flag: 'publish', kind: 'list', value: 'N', key: 'publish', help: 'host port(s) to publish on 127.0.0.1 (default: the container port)' },
  { flag: 'volume', kind: 'list', value: 'PATH[:purpose]', key: 'volumes', help: 'writable volume, absolute container path (repeatable)' },
  { flag: 'egress', kind: 'string', value: 'none|dns-tcp', key: 'egress', help: 'outbound network needs (default none)' },
  { flag: 'egress-check', kind: 'string', value: 'HOST[:PORT]', key: 'egressCheck', help: 'host the smoke test resolves when egress is on' },
  { flag: 'database-url', kind: 'string', value: 'URL', key: 'databaseUrl', help: 'database URL without credentials (needs --egress dns-tcp)' },
  { flag: 'uid', kind: 'int', value: 'N', key: 'uid', help: 'numeric user ID, > 10000 (default 10001)' },
  { flag: 'gid', kind: 'int', value: 'N', key: 'gid', help: 'numeric group ID, > 10000 (default 10001)' },
  { flag: 'health-path', kind: 'string', value: 'PATH', key: 'healthPath', help: 'HTTP health endpoint (default /healthz)' },
  { flag: 'base-image', kind: 'string', value: 'REF[@sha256:…]', key: 'baseImage', help: 'base image (default python:<version>-slim)' },
  { flag: 'seccomp', kind: 'string', value: 'strict|baseline|none', key: 'seccomp', help: 'seccomp profile level (default strict)' },
  { flag: 'apparmor', kind: 'string', value: 'on|off', key: 'apparmor', help: 'generate and use an AppArmor profile (default on)' },
  { flag: 'arch', kind: 'list', value: 'amd64|arm64', key: 'arches', help: 'target architecture(s) (default amd64 and arm64)' },
  { flag: 'cap-add', kind: 'list', value: 'CAP', key: 'capAdd', help: 'capability to add back; only NET_BIND_SERVICE for a port < 1024' },
  { flag: 'ci', kind: 'string', value: 'github|gitlab', key: 'ci', help: 'CI provider for the workflow (default github)' },
  { flag: 'k8s-version', kind: 'string', value: '1.N', key: 'k8s.version', help: 'target Kubernetes version (default 1.30)' },
  { flag: 'namespace', kind: 'string', value: 'NAME', key: 'k8s.namespace', help: 'Kubernetes namespace (default: service name)' },
  { flag: 'k8s-seccomp', kind: 'string', value: 'localhost|runtime-default', key: 'k8s.seccomp', help: 'seccomp profile type in the Deployment' },
  { flag: 'image', kind: 'string', value: 'REF[@sha256:…]', key: 'k8s.image', help: 'registry image for the Kubernetes Deployment (default: the local tag)' },
  { flag: 'spo', kind: 'bool', key: 'k8s.operator', help: 'also emit Security Profiles Operator resources' },
  { flag: 'only', kind: 'list', value: 'ARTIFACT', key: 'artifacts', help: 'write only these artifacts (repeatable)' },
];

export const ALL_FLAGS = [...BEHAVIOUR_FLAGS, ...ANSWER_FLAGS];

/** `--port` for `port`, `--namespace` for `k8s.namespace`, … */
export function flagFor(key: string): string {
  const spec = ANSWER_FLAGS.find((f) => f.key === key);
  return spec ? `--${spec.flag}` : `--${key}`;
}

export interface ParsedInit {
  readonly dir: string | undefined;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly json: boolean;
  readonly preset: string | undefined;
  readonly help: boolean;
  /** Raw answers from flags, before defaults and validation. */
  readonly answers: Answers;
}

function parseInt_(flag: string, raw: string): number {
  if (!/^[0-9]{1,10}$/.test(raw)) {
    throw new UserError(`--${flag} ${JSON.stringify(raw)} is not a whole number`, `pass a number, e.g. --${flag} ${flag === 'port' || flag === 'publish' ? '8000' : '10001'}`);
  }
  return Number(raw);
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const [head, tail] = key.split('.') as [string, string | undefined];
  if (tail === undefined) target[head] = value;
  else target[head] = { ...((target[head] as Record<string, unknown> | undefined) ?? {}), [tail]: value };
}

export function parseInitArgs(argv: readonly string[]): ParsedInit {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const f of ALL_FLAGS) {
    options[f.flag] = f.kind === 'bool' ? { type: 'boolean' } : f.kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new UserError(msg, 'see `pyconfine init --help` for the flags');
  }
  const answers: Record<string, unknown> = {};
  for (const f of ANSWER_FLAGS) {
    const raw = values[f.flag];
    if (raw === undefined || !f.key) continue;
    let value: unknown = raw;
    if (f.kind === 'int') value = parseInt_(f.flag, raw as string);
    if (f.kind === 'list') {
      const items = (raw as string[]).flatMap((s) => (f.flag === 'volume' ? [s] : s.split(',')).map((x) => x.trim()).filter(Boolean));
      value = f.flag === 'publish' ? items.map((x) => parseInt_(f.flag, x)) : items;
    }
    setPath(answers, f.key, value);
  }
  return {
    dir: values['dir'] as string | undefined,
    yes: Boolean(values['yes']),
    dryRun: Boolean(values['dry-run']),
    force: Boolean(values['force']),
    json: Boolean(values['json']),
    preset: values['preset'] as string | undefined,
    help: Boolean(values['help']),
    answers: answers as Answers,
  };
}
