/**
 * Merge the answer layers into one validated, frozen Config.
 *
 *   1. built-in defaults            (defaults.ts)
 *   2. preset                       (--preset FILE)
 *   3. detected repo facts          (detect/)
 *   4. recorded answers             (.pyconfine.json from an earlier run)
 *   5. flags
 *   6. prompt answers               (only on a TTY, only for what is missing)
 *
 * Then framework-dependent defaults fill what is still unset, raw forms are
 * normalised (`/data:uploads` → { path, purpose }), the schema validates, and
 * cross-field rules run. Every failure is a UserError naming the flag.
 */
import * as v from 'valibot';
import { UserError } from '../errors.js';
import { BASE_DEFAULTS } from './defaults.js';
import {
  ALLOWED_CAPS,
  ARCHES,
  type Config,
  ConfigSchema,
  COMMAND_WORD,
  DIGEST,
  K8S_MAX_MINOR,
  K8S_MIN_MINOR,
  type Volume,
} from './schema.js';
import { APP_DIR, VENV_DIR, TMP_DIRS } from './facts.js';
import { FRAMEWORK_INFO } from '../knowledge/frameworks.js';
import { explainRefusedCapability } from '../knowledge/capabilities.js';

/** A layer of answers: Config keys with raw (not yet normalised) values. */
export type Answers = { readonly [K in keyof Config]?: unknown };

export interface Layer {
  readonly source: 'preset' | 'detected' | 'recorded' | 'flags' | 'prompts';
  readonly answers: Answers;
}

/** Fields whose default depends on other answers; recorded values are dropped when an input changes. */
const DERIVED: Readonly<Record<string, readonly string[]>> = {
  server: ['framework'],
  appModule: ['framework', 'server'],
  baseImage: ['python'],
  publish: ['port'],
};

const NESTED = new Set(['k8s', 'layout']);

/** Shallow merge, one level deep for nested objects (k8s, layout). */
export function mergeLayers(layers: readonly Layer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const recorded = layers.find((l) => l.source === 'recorded')?.answers as Record<string, unknown> | undefined;
  const later = layers.filter((l) => l.source === 'flags' || l.source === 'prompts');
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.answers)) {
      if (value === undefined) continue;
      if (layer.source === 'recorded' && key in DERIVED) {
        const changed = DERIVED[key]!.some((dep) =>
          later.some((l) => dep in l.answers && l.answers[dep as keyof Config] !== recorded?.[dep]),
        );
        const overridden = later.some((l) => key in l.answers);
        if (changed && !overridden) continue;
      }
      if (NESTED.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        out[key] = { ...((out[key] as object | undefined) ?? {}), ...(value as object) };
      } else {
        out[key] = value;
      }
    }
  }
  return out;
}

/** Answers that have no safe default: asked for, or named in the error without a TTY. */
export function missingRequired(merged: Record<string, unknown>, yes: boolean): string[] {
  const missing: string[] = [];
  if (merged['framework'] === undefined) missing.push('framework');
  if (merged['name'] === undefined && !yes) missing.push('name');
  if (merged['framework'] === 'custom' && merged['command'] === undefined) missing.push('command');
  return missing;
}

function fail(message: string, hint: string): never {
  throw new UserError(message, hint);
}

function normaliseVolume(raw: unknown): Volume {
  if (typeof raw === 'object' && raw !== null) {
    const o = raw as { path?: unknown; purpose?: unknown };
    return { path: String(o.path ?? ''), purpose: String(o.purpose ?? 'data') };
  }
  const s = String(raw);
  const idx = s.indexOf(':');
  const path = idx === -1 ? s : s.slice(0, idx);
  const purpose = idx === -1 ? 'data' : s.slice(idx + 1);
  return { path, purpose };
}

const SYSTEM_DIRS = ['/proc', '/sys', '/dev', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/root', '/run', '/var/run'];

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + '/');
}

export function checkVolume(vol: Volume): void {
  const p = vol.path;
  const show = JSON.stringify(p);
  if (/[\n\r"'`$\\;&|<>*?]/.test(p) || /[\n\r"'`$\\;&|<>*?]/.test(vol.purpose)) {
    fail(`--volume ${show} contains a newline, quote or shell character`, 'use a plain absolute path such as /data and a plain purpose word');
  }
  if (!p.startsWith('/')) fail(`--volume ${show} is not an absolute container path`, 'use an absolute path such as /data');
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) fail(`--volume ${show} contains "." or ".."`, 'use a normalised absolute path such as /data');
  if (p === '/' || /^\/+$/.test(p)) fail('--volume / would make the whole root filesystem writable', 'declare only the directories the app writes, such as /data');
  for (const dir of SYSTEM_DIRS) {
    if (within(p, dir)) fail(`--volume ${show} is under ${dir}, a system path`, 'use an app data path such as /data or /var/lib/<service>');
  }
  for (const code of [APP_DIR, VENV_DIR]) {
    if (within(p, code) || within(code, p)) {
      fail(`--volume ${show} overlaps the ${code === APP_DIR ? 'app' : 'venv'} tree ${code}, which would make code writable`, 'use a separate path such as /data');
    }
  }
  for (const tmp of TMP_DIRS) {
    if (within(p, tmp)) fail(`--volume ${show} is under ${tmp}, which is already a private tmpfs`, 'use a separate path such as /data');
  }
  if (p.endsWith('/')) fail(`--volume ${show} ends with a slash`, `use ${p.replace(/\/+$/, '')}`);
}

function normaliseCommand(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  const s = String(raw);
  if (/[\n\r"'`$\\;&|<>(){}]/.test(s)) {
    fail(`--command ${JSON.stringify(s)} contains quotes, newlines or shell characters`, 'pass plain words: the command runs in exec form, without a shell');
  }
  return s.trim().split(/\s+/).filter(Boolean);
}

/** `REF@sha256:…` → { ref, digest }; the flag is named in the error. */
function normaliseImage(raw: unknown, flag: string): { ref: string; digest?: string } {
  if (typeof raw === 'object' && raw !== null) return raw as { ref: string; digest?: string };
  const s = String(raw);
  const at = s.indexOf('@');
  if (at === -1) return { ref: s };
  const digest = s.slice(at + 1);
  if (!DIGEST.test(digest)) fail(`${flag} digest ${JSON.stringify(digest)} is not sha256: followed by 64 hex digits`, 'copy the digest from `docker buildx imagetools inspect IMAGE`');
  return { ref: s.slice(0, at), digest };
}

function checkDatabaseUrl(raw: string, egress: unknown): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(`--database-url ${JSON.stringify(raw)} is not a URL`, 'use a form like postgres://db.internal:5432/app');
  }
  if (url.username || url.password) fail('--database-url contains credentials', 'keep secrets out of generated files: pass only scheme://host:port/db and supply credentials at run time');
  if (!url.hostname || !/^[A-Za-z0-9.-]+$/.test(url.hostname)) fail(`--database-url ${JSON.stringify(raw)} has no plain host name`, 'use a form like postgres://db.internal:5432/app');
  if (egress !== 'dns-tcp') fail('--database-url needs outbound network, but --egress is none', 'add --egress dns-tcp, or drop --database-url');
}

/** Fill framework-dependent defaults and normalise raw forms. */
export function completeAnswers(merged: Record<string, unknown>, dirName: string): Record<string, unknown> {
  const a: Record<string, unknown> = { ...BASE_DEFAULTS, ...merged };
  a['layout'] = { ...BASE_DEFAULTS.layout, ...((merged['layout'] as object | undefined) ?? {}) };
  if (a['name'] === undefined) a['name'] = defaultName(dirName);
  const fw = a['framework'] as keyof typeof FRAMEWORK_INFO;
  const info = FRAMEWORK_INFO[fw];
  if (!info) {
    fail(`unknown framework ${JSON.stringify(a['framework'])}`, 'choose --framework django, flask, fastapi or custom');
  }
  if (a['server'] === undefined) a['server'] = info.defaultServer;
  if (a['appModule'] === undefined) a['appModule'] = info.appModule[a['server'] as keyof typeof info.appModule] ?? 'app:app';
  if (a['baseImage'] === undefined) a['baseImage'] = `python:${String(a['python'])}-slim`;
  a['baseImage'] = normaliseImage(a['baseImage'], '--base-image');
  if (a['publish'] === undefined) a['publish'] = [a['port']];
  a['command'] = a['command'] === undefined ? [] : normaliseCommand(a['command']);
  a['volumes'] = (a['volumes'] as unknown[]).map(normaliseVolume);
  const k8s: Record<string, unknown> = { version: '1.30', namespace: a['name'], seccomp: 'localhost', operator: false, ...((merged['k8s'] as object | undefined) ?? {}) };
  if (k8s['image'] !== undefined) k8s['image'] = normaliseImage(k8s['image'], '--image');
  a['k8s'] = k8s;
  return a;
}

/** A DNS-1123 label from a folder name: `My_Service` → `my-service`. */
export function defaultName(dirName: string): string {
  const name = dirName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return name || 'app';
}

const FIELD_HINTS: Readonly<Record<string, string>> = {
  name: 'use a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  framework: 'choose django, flask, fastapi or custom',
  python: 'choose 3.10, 3.11, 3.12 or 3.13',
  deps: 'choose pip, uv or poetry',
  server: 'choose gunicorn, uvicorn or gunicorn-uvicorn',
  appModule: 'use module:attribute, e.g. app:app or config.wsgi:application',
  command: 'pass plain words: letters, digits and _@%+=:,./- only',
  workers: 'use a whole number from 1 to 64',
  port: 'use a whole number from 1 to 65535; prefer a port above 1023, e.g. 8000',
  publish: 'use host ports from 1 to 65535',
  volumes: 'use an absolute path of letters, digits and ._- segments, e.g. /data:uploads',
  egress: 'choose none or dns-tcp',
  egressCheck: 'use a host name, optionally with :port',
  uid: 'use a number above 10000 (not 0), e.g. 10001',
  gid: 'use a number above 10000 (not 0), e.g. 10001',
  healthPath: 'use a path that starts with / and has no spaces, e.g. /healthz',
  baseImage: 'use an image reference like python:3.12-slim, optionally @sha256:<64 hex>',
  seccomp: 'choose strict, baseline or none',
  apparmor: 'choose on or off',
  arches: 'choose amd64 and/or arm64',
  capAdd: 'only NET_BIND_SERVICE may be added back',
  ci: 'choose github or gitlab',
  k8s: `use a Kubernetes version from 1.${K8S_MIN_MINOR} to 1.${K8S_MAX_MINOR}, a DNS-1123 namespace, and localhost or runtime-default`,
  artifacts: 'choose from dockerfile, dockerignore, compose, seccomp, apparmor, smoke-test, workflow, k8s, docs, app',
  layout: 'use relative paths inside the repository',
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Validate with the schema and the cross-field rules; return a frozen Config. */
export function validate(answers: Record<string, unknown>, flagFor: (key: string) => string): Config {
  // Checks with a more specific message than the schema's, first.
  for (const cap of (answers['capAdd'] as unknown[] | undefined) ?? []) {
    const name = String(cap).toUpperCase().replace(/^CAP_/, '');
    if (!(ALLOWED_CAPS as readonly string[]).includes(name)) {
      fail(`--cap-add ${name} is refused: ${explainRefusedCapability(name)}`, 'remove it; pyconfine only adds back NET_BIND_SERVICE');
    }
  }
  answers['capAdd'] = ((answers['capAdd'] as unknown[] | undefined) ?? []).map((c) => String(c).toUpperCase().replace(/^CAP_/, ''));
  for (const arch of (answers['arches'] as unknown[] | undefined) ?? []) {
    if (!(ARCHES as readonly string[]).includes(String(arch))) fail(`unknown architecture ${describe(arch)}`, 'choose --arch amd64 and/or --arch arm64');
  }
  for (const vol of answers['volumes'] as Volume[]) checkVolume(vol);
  const paths = (answers['volumes'] as Volume[]).map((v) => v.path);
  const dup = paths.find((p, i) => paths.some((q, j) => j !== i && (within(p, q) || within(q, p))));
  if (dup) fail(`--volume ${JSON.stringify(dup)} is declared twice or nested in another volume`, 'declare each writable directory once');
  for (const word of answers['command'] as string[]) {
    if (!COMMAND_WORD.test(word)) fail(`--command word ${JSON.stringify(word)} contains quotes or shell characters`, FIELD_HINTS['command']!);
  }
  if (answers['framework'] === 'custom' && (answers['command'] as string[]).length === 0) {
    fail('--framework custom needs the server command', 'pass --command "gunicorn mypkg.wsgi:application --bind 0.0.0.0:8000"');
  }
  const k8s = answers['k8s'] as { version?: unknown };
  const m = /^1\.([0-9]{1,2})$/.exec(String(k8s.version));
  if (!m || Number(m[1]) < K8S_MIN_MINOR || Number(m[1]) > K8S_MAX_MINOR) {
    fail(`--k8s-version ${describe(k8s.version)} is not supported`, `use a version from 1.${K8S_MIN_MINOR} to 1.${K8S_MAX_MINOR}`);
  }

  const result = v.safeParse(ConfigSchema, answers);
  if (!result.success) {
    const issue = result.issues[0];
    const keys = (issue.path ?? []).map((p) => String(p.key));
    const top = keys[0] ?? '';
    const key = top === 'k8s' && keys[1] ? `k8s.${keys[1]}` : top;
    const flag = top === 'layout' ? 'layout' : flagFor(key);
    const got = issue.path?.length ? issue.path[issue.path.length - 1]!.value : issue.input;
    if (issue.type === 'strict_object') {
      fail(`unknown answer ${keys.join('.')}`, 'check the preset or .pyconfine.json for a misspelt key');
    }
    fail(`invalid ${flag} ${describe(got)}`, FIELD_HINTS[top] ?? issue.message);
  }
  const c = result.output;

  // Cross-field rules.
  if (c.uid === 0 || c.gid === 0) fail('UID/GID 0 is root', FIELD_HINTS['uid']!);
  if (c.port < 1024 && !c.capAdd.includes('NET_BIND_SERVICE')) {
    fail(
      `--port ${c.port} is privileged and the container runs as non-root`,
      `use --port 8000 --publish ${c.port} (recommended), or accept --cap-add NET_BIND_SERVICE`,
    );
  }
  if (c.port >= 1024 && c.capAdd.includes('NET_BIND_SERVICE')) {
    fail(`--cap-add NET_BIND_SERVICE is not needed for port ${c.port}`, 'remove --cap-add; only ports below 1024 need it');
  }
  if (c.databaseUrl !== undefined) checkDatabaseUrl(c.databaseUrl, c.egress);
  if (c.egressCheck !== '' && c.egress === 'none') fail('--egress-check needs outbound network, but --egress is none', 'add --egress dns-tcp, or drop --egress-check');
  if (new Set(c.publish).size !== c.publish.length) fail('--publish lists a port twice', 'list each host port once');
  return deepFreeze(c);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const value of Object.values(o)) deepFreeze(value);
    Object.freeze(o);
  }
  return o;
}

export interface ResolveInput {
  readonly layers: readonly Layer[];
  readonly yes: boolean;
  readonly dirName: string;
  readonly flagFor: (key: string) => string;
}

/** Merge, fill defaults, validate. Throws UserError on any bad input. */
export function resolveConfig(input: ResolveInput): Config {
  const merged = mergeLayers(input.layers);
  const missing = missingRequired(merged, input.yes);
  if (missing.length > 0) {
    const flags = missing.map(input.flagFor).join(', ');
    throw new UserError(`missing answers: ${flags}`, `pass ${flags} (and --yes to accept defaults for the rest), or run in a terminal to be asked`);
  }
  return validate(completeAnswers(merged, input.dirName), input.flagFor);
}
