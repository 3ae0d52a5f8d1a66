/**
 * Facts derived from a Config, computed in exactly one place so that every
 * artifact (Dockerfile, compose, README, seccomp, AppArmor, smoke test, CI,
 * Kubernetes) agrees on paths, the command, the writable set and the flags.
 * Pure: no disk, no clock.
 */
import type { Config } from './schema.js';

/** Where the app's code lives inside the image (read-only at run time). */
export const APP_DIR = '/app';
/** Where the builder stage creates the virtualenv and the runtime stage copies it. */
export const VENV_DIR = '/opt/venv';
/** Always a tmpfs: HOME, pip, gunicorn's worker heartbeat and control socket go here. */
export const TMP_DIRS = ['/tmp'] as const;
/** Mount options for every tmpfs, shared by docker run, compose and the docs. */
export const TMPFS_OPTIONS = 'rw,noexec,nosuid,nodev,size=64m';
/** Seconds the runtime waits after SIGTERM before SIGKILL. */
export const STOP_TIMEOUT = 10;

export interface Facts {
  readonly appDir: string;
  readonly venvDir: string;
  /** Local image tag used in build/run commands. */
  readonly image: string;
  /** Base image reference with the digest appended when pinned. */
  readonly baseImage: string;
  /** Exec-form argv of the app server (the Dockerfile's CMD). */
  readonly argv: readonly string[];
  readonly tmpDirs: readonly string[];
  /** Every path the app may write at run time: declared volumes, then tmp dirs. */
  readonly writablePaths: readonly string[];
  /** Repo-relative path of the seccomp profile, or null when seccomp is `none`. */
  readonly seccompFile: string | null;
  /** Repo-relative path of the AppArmor profile, or null when AppArmor is `off`. */
  readonly apparmorFile: string | null;
  /** The AppArmor profile's name (what `--security-opt apparmor=` takes). */
  readonly apparmorProfile: string;
  /** Capabilities added back after dropping ALL (normally none). */
  readonly capAdd: readonly string[];
  /** Health URL as seen from inside the container. */
  readonly healthUrl: string;
  /** Named volume for each declared volume, in declaration order. */
  readonly volumeNames: readonly { name: string; path: string; purpose: string }[];
  /** Repo-relative path of the CI workflow file. */
  readonly workflowFile: string;
  /** Environment baked into the runtime image. */
  readonly env: readonly (readonly [string, string])[];
}

/** Named volume for a container path: `<service>-<path with / replaced by ->`. */
export function volumeName(service: string, path: string): string {
  const slug = path.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  return `${service}-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/** The server command, as argv, for the Dockerfile's exec-form CMD. */
export function serverArgv(c: Config): string[] {
  if (c.framework === 'custom' && c.command.length > 0) return [...c.command];
  const bind = `0.0.0.0:${c.port}`;
  switch (c.server) {
    case 'gunicorn':
      return [
        'gunicorn',
        '--bind', bind,
        '--workers', String(c.workers),
        '--worker-tmp-dir', TMP_DIRS[0],
        '--access-logfile', '-',
        c.appModule,
      ];
    case 'gunicorn-uvicorn':
      return [
        'gunicorn',
        '--bind', bind,
        '--workers', String(c.workers),
        '--worker-class', 'uvicorn.workers.UvicornWorker',
        '--worker-tmp-dir', TMP_DIRS[0],
        '--access-logfile', '-',
        c.appModule,
      ];
    case 'uvicorn':
      return [
        'uvicorn',
        '--host', '0.0.0.0',
        '--port', String(c.port),
        '--workers', String(c.workers),
        '--no-server-header',
        c.appModule,
      ];
  }
}

export function deriveFacts(c: Config): Facts {
  const seccompFile = c.seccomp === 'none' ? null : `${c.layout.seccompDir}/${c.name}.json`;
  const apparmorFile = c.apparmor === 'off' ? null : `${c.layout.apparmorDir}/${c.name}`;
  const volumeNames = c.volumes.map((vol) => ({
    name: volumeName(c.name, vol.path),
    path: vol.path,
    purpose: vol.purpose,
  }));
  const env: [string, string][] = [
    ['PATH', `${VENV_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
    ['VIRTUAL_ENV', VENV_DIR],
    ['PYTHONDONTWRITEBYTECODE', '1'],
    ['PYTHONUNBUFFERED', '1'],
    ['HOME', '/tmp'],
    ['XDG_RUNTIME_DIR', '/tmp'],
    // C libraries (SQLite, …) otherwise try /var/tmp, which is read-only.
    ['TMPDIR', '/tmp'],
    ['PIP_NO_CACHE_DIR', '1'],
    ['PIP_DISABLE_PIP_VERSION_CHECK', '1'],
  ];
  if (c.framework === 'django') env.push(['DJANGO_SETTINGS_MODULE', djangoSettingsModule(c)]);
  return {
    appDir: APP_DIR,
    venvDir: VENV_DIR,
    image: `${c.name}:local`,
    baseImage: c.baseImage.digest ? `${c.baseImage.ref}@${c.baseImage.digest}` : c.baseImage.ref,
    argv: serverArgv(c),
    tmpDirs: [...TMP_DIRS],
    writablePaths: [...c.volumes.map((vol) => vol.path), ...TMP_DIRS],
    seccompFile,
    apparmorFile,
    apparmorProfile: `pyconfine-${c.name}`,
    capAdd: [...c.capAdd],
    healthUrl: `http://127.0.0.1:${c.port}${c.healthPath}`,
    volumeNames,
    workflowFile: '.github/workflows/container-security.yml',
    env,
  };
}

/** `config.wsgi:application` → `config.settings`. */
export function djangoSettingsModule(c: Config): string {
  const pkg = c.appModule.split(':')[0]!.split('.')[0]!;
  return `${pkg}.settings`;
}
