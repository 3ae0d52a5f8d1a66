/**
 * The generated canary manifests, prepared for `podman kube play` (podman
 * 4.3), the closest thing to a kubelet this machine can run. Every change is
 * returned as a sentence for the test output.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/** Kinds podman kube play runs; the rest (Namespace, Service, NetworkPolicy, …) need a cluster. */
const PLAYABLE = new Set(['Deployment', 'PersistentVolumeClaim', 'ConfigMap', 'Pod']);

// Manifests are plain parsed YAML; their shape is checked by the assertions that use them.
type Obj = Record<string, any>;

export interface PlayableManifest {
  readonly yaml: string;
  readonly deployment: Obj;
  readonly deploymentName: string;
  readonly containerName: string;
  /** Seccomp profile files to place in the profile root: basename → repo-relative localhost path. */
  readonly seccompProfiles: Map<string, string>;
  readonly emptyDirMounts: string[];
  readonly claimMounts: { claim: string; path: string }[];
  readonly skippedKinds: string[];
  readonly changes: string[];
}

export async function loadManifests(k8sDir: string): Promise<Obj[]> {
  const docs: Obj[] = [];
  for (const file of (await readdir(k8sDir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(k8sDir, file), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as Obj | null;
      if (obj && typeof obj === 'object' && obj['kind']) docs.push(obj);
    }
  }
  return docs;
}

/**
 * - keep only kinds podman can run;
 * - seccomp: podman 4.3 ignores `securityContext.seccompProfile` and honours
 *   only the old per-container annotation naming a file directly in
 *   `--seccomp-profile-root`, so the Deployment's Localhost profile is
 *   translated to that annotation (same file, same container);
 * - ports: podman 4.3 publishes every `containerPort` on 0.0.0.0 of the
 *   host, which Kubernetes never does; `ports` are dropped and the pod runs
 *   with `--network none` (the checks run inside the pod, as `kubectl exec`
 *   would).
 */
export function playable(docs: readonly Obj[], opts: { translateSeccomp?: boolean } = {}): PlayableManifest {
  const changes: string[] = [];
  const skippedKinds = docs.map((d) => String(d['kind'])).filter((k) => !PLAYABLE.has(k));
  const keep = docs.filter((d) => PLAYABLE.has(String(d['kind']))).map((d) => structuredClone(d));
  const deployments = keep.filter((d) => d['kind'] === 'Deployment');
  if (deployments.length !== 1) throw new Error(`expected one Deployment in the canary manifests, found ${deployments.length}`);
  const deployment = deployments[0]!;
  const spec = deployment['spec']['template']['spec'] as Obj;
  const containers = spec['containers'] as Obj[];
  if (containers.length !== 1) throw new Error(`expected one container in the Deployment, found ${containers.length}`);
  const container = containers[0]!;

  const seccompProfiles = new Map<string, string>();
  const meta = (deployment['spec']['template']['metadata'] ??= {}) as Obj;
  const annotations = (meta['annotations'] ??= {}) as Obj;
  for (const c of containers) {
    const profile = (c['securityContext']?.['seccompProfile'] ?? spec['securityContext']?.['seccompProfile']) as Obj | undefined;
    if (opts.translateSeccomp === false) {
      changes.push('control: seccomp annotation NOT added (podman falls back to its default profile)');
    } else if (profile?.['type'] === 'Localhost' && typeof profile['localhostProfile'] === 'string') {
      const file = basename(profile['localhostProfile']);
      seccompProfiles.set(file, profile['localhostProfile']);
      annotations[`container.seccomp.security.alpha.kubernetes.io/${c['name']}`] = `localhost/${file}`;
      changes.push(`seccompProfile Localhost ${profile['localhostProfile']} → annotation container.seccomp.security.alpha.kubernetes.io/${c['name']}=localhost/${file} (podman 4.3 reads only that)`);
    } else if (profile) {
      changes.push(`seccompProfile ${profile['type']} kept as is (podman applies its default profile)`);
    }
  }
  for (const c of containers) {
    if (c['ports']) {
      delete c['ports'];
      changes.push(`dropped ports of container ${c['name']} and played with --network none (podman 4.3 would publish them on 0.0.0.0 of the host)`);
    }
  }
  const volumes = (spec['volumes'] ?? []) as Obj[];
  const mounts = (container['volumeMounts'] ?? []) as Obj[];
  const emptyDirMounts: string[] = [];
  const claimMounts: { claim: string; path: string }[] = [];
  for (const m of mounts) {
    const vol = volumes.find((v) => v['name'] === m['name']);
    if (vol?.['emptyDir']) emptyDirMounts.push(String(m['mountPath']));
    if (vol?.['persistentVolumeClaim']) claimMounts.push({ claim: String(vol['persistentVolumeClaim']['claimName']), path: String(m['mountPath']) });
  }
  return {
    yaml: keep.map((d) => stringify(d)).join('---\n'),
    deployment,
    deploymentName: String(deployment['metadata']['name']),
    containerName: String(container['name']),
    seccompProfiles,
    emptyDirMounts,
    claimMounts,
    skippedKinds,
    changes,
  };
}
