/**
 * A generated project under test: produced by the built CLI (`init --yes`),
 * with the commands read back from its SECURITY-RUNTIME.md and the facts the
 * checks need (UID/GID, writable paths, profile) read from what was written.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { documentedCommand, flagValues, parseDockerRun, type ParsedRun } from './docs.js';
import { CLI } from './paths.js';
import { describeResult, run } from './proc.js';
import type { SeccompProfile } from './seccomp.js';

export interface GeneratedProject {
  readonly dir: string;
  readonly name: string;
  readonly docs: string;
  /** The documented `docker run`, as argv. */
  readonly runArgv: string[];
  readonly run: ParsedRun;
  /** The documented `docker build`, as argv. */
  readonly buildArgv: string[];
  readonly image: string;
  readonly uid: number;
  readonly gid: number;
  /** Declared volumes: named volume and container path, from the documented `--volume`s. */
  readonly volumes: { name: string; path: string }[];
  /** tmpfs mount points from the documented `--tmpfs`s. */
  readonly tmpfs: string[];
  readonly hostPort: number;
  readonly healthPath: string;
  readonly seccompFile: string | null;
  readonly seccomp: SeccompProfile | null;
  readonly smokeTest: string | null;
  readonly k8sDir: string | null;
  /** The recorded answers (.pyconfine.json), as written. */
  readonly config: Record<string, unknown>;
}

/** A TCP port on 127.0.0.1 that is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function generate(dir: string, args: readonly string[]): Promise<GeneratedProject> {
  const r = await run(process.execPath, [CLI, 'init', '--yes', '--dir', dir, ...args], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`pyconfine init failed\n${describeResult(r)}`);
  const config = JSON.parse(await readFile(join(dir, '.pyconfine.json'), 'utf8')) as Record<string, unknown>;
  const layout = (config['layout'] ?? {}) as Record<string, string>;
  const docsPath = join(dir, layout['docs'] ?? 'SECURITY-RUNTIME.md');
  const docs = await readFile(docsPath, 'utf8');
  const runArgv = documentedCommand(docs, ['docker', 'run']);
  const parsed = parseDockerRun(runArgv);
  const buildArgv = documentedCommand(docs, ['docker', 'build']);

  const user = flagValues(parsed, '--user')[0] ?? '';
  const [uid, gid] = user.split(':').map(Number);
  if (!uid || !gid) throw new Error(`the documented docker run has no numeric --user UID:GID (got ${JSON.stringify(user)})`);
  const volumes = flagValues(parsed, '--volume').map((v) => {
    const [name, path] = v.split(':');
    return { name: name!, path: path! };
  });
  const tmpfs = flagValues(parsed, '--tmpfs').map((v) => v.split(':')[0]!);
  const publish = flagValues(parsed, '--publish')[0] ?? '';
  const hostPort = Number(publish.split(':').at(-2));
  const seccompOpt = flagValues(parsed, '--security-opt').find((v) => v.startsWith('seccomp='));
  const seccompFile = seccompOpt ? join(dir, seccompOpt.slice('seccomp='.length)) : null;
  const seccomp = seccompFile ? (JSON.parse(await readFile(seccompFile, 'utf8')) as SeccompProfile) : null;
  const smokePath = join(dir, layout['smokeTest'] ?? 'security/smoke-test.sh');
  const k8sDir = join(dir, layout['k8sDir'] ?? 'deploy/k8s');
  return {
    dir,
    name: String(config['name']),
    docs,
    runArgv,
    run: parsed,
    buildArgv,
    image: parsed.image,
    uid,
    gid,
    volumes,
    tmpfs,
    hostPort,
    healthPath: String(config['healthPath'] ?? '/healthz'),
    seccompFile,
    seccomp,
    smokeTest: existsSync(smokePath) ? smokePath : null,
    k8sDir: existsSync(k8sDir) ? k8sDir : null,
    config,
  };
}

/**
 * The documented `docker build`, as `podman build`: offline (`--pull=never
 * --network none`: the base image is the local one) and `--format docker`
 * so the image keeps its HEALTHCHECK.
 */
export function podmanBuildArgv(p: GeneratedProject): string[] {
  const [docker, build, ...rest] = p.buildArgv;
  if (docker !== 'docker' || build !== 'build') throw new Error(`not a docker build command: ${p.buildArgv.join(' ')}`);
  return ['build', '--pull=never', '--network', 'none', '--format', 'docker', ...rest];
}

export interface BuiltImage {
  readonly durationMs: number;
  /** The image's HEALTHCHECK as exec argv (podman's healthcheck timers need systemd; run it by hand). */
  readonly healthcheckArgv: string[];
  readonly user: string;
}

/** Build the unmodified generated Dockerfile; throws with podman's output on failure. */
export async function buildImage(p: GeneratedProject): Promise<BuiltImage> {
  const argv = podmanBuildArgv(p);
  const r = await run('podman', argv, { cwd: p.dir, timeoutMs: 300_000 });
  if (r.exitCode !== 0) throw new Error(`podman ${argv.join(' ')} failed\n${describeResult(r)}`);
  const inspect = await run('podman', ['image', 'inspect', p.image], { timeoutMs: 30_000 });
  const [image] = JSON.parse(inspect.stdout) as { Config?: { User?: string }; Healthcheck?: { Test?: string[] } }[];
  const test = image?.Healthcheck?.Test ?? [];
  if (!/^CMD(-SHELL)?$/.test(test[0] ?? '')) {
    throw new Error(`the image lost its HEALTHCHECK (build with --format docker): ${JSON.stringify(image?.Healthcheck)}`);
  }
  return {
    durationMs: r.durationMs,
    healthcheckArgv: test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : test.slice(1),
    user: image?.Config?.User ?? '',
  };
}
