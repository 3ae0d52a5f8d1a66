/**
 * The one Config. Every input (defaults, preset, flags, prompt answers) is merged
 * into a plain object and validated here, once. Everything downstream uses the
 * inferred `Config` type and never re-parses raw input.
 *
 *   argv ─┐
 *   preset ├─▶ resolve ─▶ Config (this schema, frozen) ─▶ render/* (pure) ─▶ FilePlan ─▶ writer
 *   prompts┘
 *
 * Every string that ends up in a Dockerfile, YAML, shell or AppArmor line is
 * constrained to a character set that cannot break out of its context; the
 * renderers still quote on top of that.
 */
import * as v from 'valibot';

export const FRAMEWORKS = ['django', 'flask', 'fastapi', 'custom'] as const;
export const PYTHON_VERSIONS = ['3.10', '3.11', '3.12', '3.13'] as const;
export const DEP_MANAGERS = ['pip', 'uv', 'poetry'] as const;
export const SERVERS = ['gunicorn', 'uvicorn', 'gunicorn-uvicorn'] as const;
export const EGRESS = ['none', 'dns-tcp'] as const;
export const SECCOMP_LEVELS = ['strict', 'baseline', 'none'] as const;
export const APPARMOR_MODES = ['on', 'off'] as const;
export const ARCHES = ['amd64', 'arm64'] as const;
export const CI_PROVIDERS = ['github', 'gitlab'] as const;
export const K8S_SECCOMP = ['localhost', 'runtime-default'] as const;
/** Capabilities pyconfine will ever add back after `--cap-drop=ALL`. */
export const ALLOWED_CAPS = ['NET_BIND_SERVICE'] as const;
export const ARTIFACTS = [
  'dockerfile',
  'dockerignore',
  'compose',
  'seccomp',
  'apparmor',
  'smoke-test',
  'workflow',
  'k8s',
  'docs',
  'app',
] as const;

/** Supported Kubernetes minor versions for the canary manifests. */
export const K8S_MIN_MINOR = 25;
export const K8S_MAX_MINOR = 35;

export type Framework = (typeof FRAMEWORKS)[number];
export type Server = (typeof SERVERS)[number];
export type Arch = (typeof ARCHES)[number];
export type Artifact = (typeof ARTIFACTS)[number];

/** RFC 1123 label: what Kubernetes, compose and AppArmor names all accept. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Absolute container path: a safe character set, no `..`, no trailing slash. */
export const SAFE_ABS_PATH = /^(?!.*\/\.\.?(\/|$))(\/[A-Za-z0-9._-]+)+$/;
/** Relative path inside the target repo (layout entries). */
export const SAFE_REL_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
export const HEALTH_PATH = /^\/[A-Za-z0-9._~\/-]*$/;
export const PURPOSE = /^[A-Za-z0-9 ._,-]{1,60}$/;
export const APP_MODULE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$/;
/** One argv word of a custom command: no shell metacharacters, quotes or newlines. */
export const COMMAND_WORD = /^[A-Za-z0-9_@%+=:,.\/-]+$/;
export const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const HOST_TARGET = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const id = v.pipe(v.number(), v.integer(), v.minValue(10001), v.maxValue(2147483647));

export const VolumeSchema = v.strictObject({
  path: v.pipe(v.string(), v.regex(SAFE_ABS_PATH)),
  purpose: v.pipe(v.string(), v.regex(PURPOSE)),
});

export const LayoutSchema = v.strictObject({
  dockerfile: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  compose: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  seccompDir: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  apparmorDir: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  smokeTest: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  k8sDir: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
  docs: v.pipe(v.string(), v.regex(SAFE_REL_PATH)),
});

export const K8sSchema = v.strictObject({
  /** Target Kubernetes minor version, e.g. "1.30". */
  version: v.pipe(v.string(), v.regex(/^1\.[0-9]{1,2}$/)),
  namespace: v.pipe(v.string(), v.regex(DNS1123_LABEL)),
  seccomp: v.picklist(K8S_SECCOMP),
  /** Also emit Security Profiles Operator resources and reference them. */
  operator: v.boolean(),
  /** Registry image the cluster pulls, optionally pinned by digest; default: the local tag. */
  image: v.optional(
    v.strictObject({
      ref: v.pipe(v.string(), v.regex(IMAGE_REF)),
      digest: v.optional(v.pipe(v.string(), v.regex(DIGEST))),
    }),
  ),
});

export const ConfigSchema = v.strictObject({
  name: v.pipe(v.string(), v.regex(DNS1123_LABEL)),
  framework: v.picklist(FRAMEWORKS),
  python: v.picklist(PYTHON_VERSIONS),
  deps: v.picklist(DEP_MANAGERS),
  server: v.picklist(SERVERS),
  /** Python `module:attr` the server loads. */
  appModule: v.pipe(v.string(), v.regex(APP_MODULE)),
  /** Full argv for `framework: custom`; empty otherwise (derived from server + appModule). */
  command: v.array(v.pipe(v.string(), v.regex(COMMAND_WORD))),
  workers: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)),
  port,
  publish: v.pipe(v.array(port), v.minLength(1)),
  volumes: v.array(VolumeSchema),
  egress: v.picklist(EGRESS),
  /** Optional database URL (no credentials); implies egress to its host:port. */
  databaseUrl: v.optional(v.string()),
  /** Host (and port) the smoke test resolves when egress is on; "" skips the check. */
  egressCheck: v.pipe(v.string(), v.regex(/^([A-Za-z0-9.-]+(:[0-9]{1,5})?)?$/)),
  uid: id,
  gid: id,
  healthPath: v.pipe(v.string(), v.regex(HEALTH_PATH)),
  baseImage: v.strictObject({
    ref: v.pipe(v.string(), v.regex(IMAGE_REF)),
    digest: v.optional(v.pipe(v.string(), v.regex(DIGEST))),
  }),
  seccomp: v.picklist(SECCOMP_LEVELS),
  apparmor: v.picklist(APPARMOR_MODES),
  arches: v.pipe(v.array(v.picklist(ARCHES)), v.minLength(1)),
  capAdd: v.array(v.picklist(ALLOWED_CAPS)),
  ci: v.picklist(CI_PROVIDERS),
  k8s: K8sSchema,
  artifacts: v.array(v.picklist(ARTIFACTS)),
  layout: LayoutSchema,
});

export type Config = Readonly<v.InferOutput<typeof ConfigSchema>>;
export type Volume = v.InferOutput<typeof VolumeSchema>;
export type Layout = v.InferOutput<typeof LayoutSchema>;
