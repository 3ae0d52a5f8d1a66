/**
 * Third-party actions and images the generated CI uses, pinned as data.
 *
 * GitHub Actions are referenced by full 40-character commit SHA (a tag can be
 * moved; a commit cannot), with the release tag written next to it as a
 * comment. Each SHA is the commit the release tag points to, read from the
 * action's own repository (`git rev-parse <tag>^{commit}`):
 * - https://github.com/actions/checkout/releases/tag/v7.0.1
 * - https://github.com/actions/upload-artifact/releases/tag/v7.0.0
 * - https://github.com/actions/download-artifact/releases/tag/v8.0.1
 * - https://github.com/hadolint/hadolint-action/releases/tag/v3.3.0
 * - https://github.com/helm/kind-action/releases/tag/v1.14.0
 * To update: bump `version`, take the commit of the new tag, keep both together.
 */

export interface PinnedAction {
  /** `owner/repo` as written before the `@`. */
  readonly repo: string;
  /** The release tag the SHA belongs to, written as `# <version>` after the `uses:`. */
  readonly version: string;
  /** Full commit SHA of that tag. */
  readonly sha: string;
  /** Where the pin was read from. */
  readonly source: string;
}

export const ACTIONS = {
  checkout: {
    repo: 'actions/checkout',
    version: 'v7.0.1',
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    source: 'https://github.com/actions/checkout/releases/tag/v7.0.1',
  },
  uploadArtifact: {
    repo: 'actions/upload-artifact',
    version: 'v7.0.0',
    sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    source: 'https://github.com/actions/upload-artifact/releases/tag/v7.0.0',
  },
  downloadArtifact: {
    repo: 'actions/download-artifact',
    version: 'v8.0.1',
    sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
    source: 'https://github.com/actions/download-artifact/releases/tag/v8.0.1',
  },
  hadolint: {
    repo: 'hadolint/hadolint-action',
    version: 'v3.3.0',
    sha: '2332a7b74a6de0dda2e2221d575162eba76ba5e5',
    source: 'https://github.com/hadolint/hadolint-action/releases/tag/v3.3.0',
  },
  kind: {
    repo: 'helm/kind-action',
    version: 'v1.14.0',
    sha: 'ef37e7f390d99f746eb8b610417061a60e82a6cc',
    source: 'https://github.com/helm/kind-action/releases/tag/v1.14.0',
  },
} as const satisfies Record<string, PinnedAction>;

/** `owner/repo@sha`, the value of a `uses:` key. */
export function usesRef(action: PinnedAction): string {
  return `${action.repo}@${action.sha}`;
}

/** Every pinned action, for the step that writes `# <version>` comments. */
export const PINNED_ACTIONS: readonly PinnedAction[] = Object.values(ACTIONS);

/**
 * kind and its node image. helm/kind-action v1.14.0 installs kind v0.31.0 by
 * default; kind v0.31.0's default node image (pkg/apis/config/defaults/image.go)
 * is Kubernetes v1.35.0, pinned by digest.
 */
export const KIND = {
  version: 'v0.31.0',
  nodeImage:
    'kindest/node:v1.35.0@sha256:452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f',
} as const;

/**
 * The GitHub-hosted runner every job uses. Ubuntu runners have AppArmor
 * enabled, Docker, sudo and a kernel the kind nodes share. `ubuntu-latest`
 * rather than a numbered image: numbered images are retired on a schedule
 * (a workflow pinned to one stops running), and the version-specific labels
 * newer than actionlint's built-in list would be reported as unknown.
 */
export const RUNNER = 'ubuntu-latest';

/**
 * Container images for the GitLab pipeline.
 * - hadolint: the image hadolint-action v3.3.0 itself builds from
 *   (its Dockerfile: `FROM ghcr.io/hadolint/hadolint:v2.14.0-debian`).
 * - docker / dind: GitLab's Docker-in-Docker guide says to pin a specific
 *   version rather than `latest`.
 */
export const GITLAB_IMAGES = {
  hadolint: 'ghcr.io/hadolint/hadolint:v2.14.0-debian',
  docker: 'docker:28.5.2',
  dind: 'docker:28.5.2-dind',
  debian: 'debian:bookworm-slim',
} as const;

/**
 * Custom resource definitions of the Security Profiles Operator, pinned to the
 * commit of its v1.0.0 tag (3452bfbe…, https://github.com/kubernetes-sigs/security-profiles-operator/releases/tag/v1.0.0),
 * so the kind canary's `kubectl apply -k` accepts the generated SeccompProfile
 * and AppArmorProfile objects (and validates them against the real schema).
 */
const SPO_COMMIT = '3452bfbe48210f87a4dff3f2ffd7ef4dca0d6000';
export const SPO_CRDS = ['seccompprofile', 'apparmorprofile'].map(
  (kind) =>
    `https://raw.githubusercontent.com/kubernetes-sigs/security-profiles-operator/${SPO_COMMIT}/deploy/base-crds/crds/${kind}.yaml`,
);
