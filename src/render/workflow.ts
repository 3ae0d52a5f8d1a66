/**
 * The CI pipeline that keeps the hardening proven on every change:
 * GitHub Actions (`.github/workflows/container-security.yml`) or GitLab CI
 * (`.gitlab-ci.yml`), chosen by `config.ci`.
 *
 *   lint ──────────────┐    hadolint, shellcheck, seccomp names per arch, AppArmor compiled
 *   build ─▶ image.tar ┼─▶ apparmor       complain run → collect ALLOWED → enforce run
 *                      ├─▶ run-hardened   exactly hardeningFlags(), smoke test, log scan
 *                      └─▶ canary         kind + restricted namespace + profiles on the node
 *
 * Both documents are built as plain objects and serialised with the `yaml`
 * package; every `run:` script is built from argv words with shellQuote.
 * Third-party actions and images are pinned in ../knowledge/actions.ts.
 */
import { Document, isScalar, visit } from 'yaml';
import type { Config } from '../config/schema.js';
import type { Facts } from '../config/facts.js';
import { ACTIONS, GITLAB_IMAGES, KIND, PINNED_ACTIONS, RUNNER, SPO_CRDS, usesRef } from '../knowledge/actions.js';
import { shellJoin, shellQuote } from './escape.js';
import { hardeningFlags } from './runtime.js';
import { KUBELET_SECCOMP_ROOT, apparmorChoice, seccompChoice } from './k8s/objects.js';
import type { Renderer } from './types.js';

export const GITLAB_FILE = '.gitlab-ci.yml';
/** Names of the containers the CI jobs start. */
export const CONTAINERS = {
  complain: 'pyconfine-complain',
  enforce: 'pyconfine-enforce',
  hardened: 'pyconfine-hardened',
} as const;
export const KIND_CLUSTER = 'pyconfine';
/** Local tag of the kind node image with AppArmor userspace added. */
export const KIND_NODE_IMAGE = 'pyconfine-kind-node:local';
const IMAGE_ARTIFACT = 'image';
const IMAGE_TAR = 'image.tar';
/** Lines in container logs that mean seccomp or a dropped capability refused something. */
export const DENIAL_PATTERN = 'Operation not permitted|SIGSYS|Bad system call';
/** SIGSYS (31) + 128: the exit status of a process killed by a seccomp KILL action. */
const SIGSYS_EXIT = 159;

/** docker/Go architecture names → libseccomp names (`scmp_sys_resolver -a`). */
export const SECCOMP_ARCH: Readonly<Record<Config['arches'][number], string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
};

type Obj = Record<string, unknown>;

/** What the pipeline covers for this Config. */
interface Plan {
  readonly c: Config;
  readonly f: Facts;
  readonly smokeTest: string | null;
  readonly seccompFile: string | null;
  /** The AppArmor profile file, when it is generated (and therefore loaded by CI). */
  readonly apparmorFile: string | null;
  readonly k8s: boolean;
  /** Flags for every `docker run` in CI: exactly the documented ones. */
  readonly flags: readonly string[];
}

function plan(c: Config, f: Facts, provider: Config['ci']): Plan {
  const apparmorFile = f.apparmorFile !== null && c.artifacts.includes('apparmor') ? f.apparmorFile : null;
  return {
    c,
    f,
    smokeTest: c.artifacts.includes('smoke-test') ? c.layout.smokeTest : null,
    seccompFile: f.seccompFile,
    apparmorFile,
    k8s: c.artifacts.includes('k8s'),
    // A run can name the AppArmor profile only where CI loads it: on GitHub's
    // Ubuntu runners, when the profile is generated. Every other flag is the
    // documented set, unchanged.
    flags: hardeningFlags(c, f, provider === 'github' && apparmorFile !== null ? {} : { apparmor: false }),
  };
}

/** Join script lines; `false` entries are dropped so optional lines read inline. */
function script(...lines: (string | false)[]): string {
  return `${lines.filter((l): l is string => l !== false).join('\n')}\n`;
}

const q = shellQuote;

// ---------------------------------------------------------------------------
// Shell snippets shared by GitHub and GitLab
// ---------------------------------------------------------------------------

/** Checks every syscall name in a seccomp profile with scmp_sys_resolver, per architecture. */
const SECCOMP_NAMES_PY = `import json, subprocess, sys

path, arches = sys.argv[1], sys.argv[2:]
# Arch names used in "includes"/"excludes" conditions → libseccomp names.
ALIASES = {"amd64": "x86_64", "arm64": "aarch64", "x86_64": "x86_64", "aarch64": "aarch64"}
with open(path, encoding="utf-8") as handle:
    profile = json.load(handle)
unknown, checked = [], 0
for rule in profile.get("syscalls") or []:
    names = list(rule.get("names") or []) + ([rule["name"]] if rule.get("name") else [])
    only = [ALIASES.get(a, a) for a in (rule.get("includes") or {}).get("arches") or []]
    never = [ALIASES.get(a, a) for a in (rule.get("excludes") or {}).get("arches") or []]
    for arch in arches:
        if (only and arch not in only) or arch in never:
            continue
        for name in names:
            checked += 1
            out = subprocess.run(["scmp_sys_resolver", "-a", arch, name], capture_output=True, text=True)
            number = out.stdout.strip()
            if out.returncode != 0 or not number.lstrip("-").isdigit() or int(number) < 0:
                unknown.append("%s on %s" % (name, arch))
if checked == 0:
    sys.exit("%s: no syscall names to check" % path)
for entry in unknown:
    print("unknown syscall: " + entry)
if unknown:
    sys.exit("%s: %d unknown syscall name(s); the runtime would silently ignore them" % (path, len(unknown)))
print("%s: %d names resolved on %s" % (path, checked, ", ".join(arches)))
`;

/** Polls the health URL from inside the container (slim images have no curl). */
const HEALTH_PY = 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)';

function seccompNamesScript(p: Plan): string {
  const arches = p.c.arches.map((a) => SECCOMP_ARCH[a]);
  return script(`python3 - ${shellJoin([p.seccompFile!, ...arches])} <<'PY'`, SECCOMP_NAMES_PY.trimEnd(), 'PY');
}

function apparmorCompileScript(file: string, sudo: boolean): string {
  return script(`${sudo ? 'sudo ' : ''}apparmor_parser -Q -K -o /dev/null ${q(file)}`);
}

function shellcheckScript(file: string): string {
  return script(`shellcheck -s sh ${q(file)}`);
}

/** `docker run` with exactly the documented flags, then wait until the app answers. */
function startScript(p: Plan, name: string): string[] {
  return [
    `docker run --detach --name ${q(name)} ${shellJoin(p.flags)} ${q(p.f.image)}`,
    'tries=0',
    `until docker exec ${q(name)} python -c ${q(HEALTH_PY)} ${q(p.f.healthUrl)} >/dev/null 2>&1; do`,
    '  tries=$((tries + 1))',
    `  if [ "$(docker inspect --format '{{.State.Running}}' ${q(name)})" != true ] || [ "$tries" -ge 60 ]; then`,
    `    echo ${q(`error: ${name} did not answer on ${p.f.healthUrl}`)} >&2`,
    `    docker logs ${q(name)} >&2 || true`,
    '    exit 1',
    '  fi',
    '  sleep 2',
    'done',
  ];
}

/** Feed the smoke test to a shell inside the container (it is not in the image). */
function smokeScript(smokeTest: string, name: string): string {
  return script(`docker exec -i ${q(name)} sh -s < ${q(smokeTest)}`);
}

/** Fail on denials in the app's log, and on a container that is no longer running. */
function logScanScript(name: string): string {
  const log = `${name}.log`;
  return script(
    `docker logs ${q(name)} > ${q(log)} 2>&1 || true`,
    `cat ${q(log)}`,
    `if grep -nE ${q(DENIAL_PATTERN)} ${q(log)}; then`,
    `  echo ${q(`error: ${name} logged a denied operation (seccomp or a dropped capability)`)} >&2`,
    '  exit 1',
    'fi',
    `state=$(docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' ${q(name)})`,
    `if [ "\${state##* }" = ${SIGSYS_EXIT} ]; then`,
    `  echo ${q(`error: ${name} was killed by SIGSYS (a syscall outside the seccomp profile)`)} >&2`,
    '  exit 1',
    'fi',
    'if [ "${state%% *}" != running ]; then',
    `  echo "error: ${name} is not running ($state)" >&2`,
    '  exit 1',
    'fi',
  );
}

function removeScript(...names: string[]): string {
  return script(`docker rm --force ${shellJoin(names)} >/dev/null 2>&1 || true`);
}

// ---------------------------------------------------------------------------
// GitHub Actions
// ---------------------------------------------------------------------------

const checkoutStep: Obj = {
  name: 'Check out',
  uses: usesRef(ACTIONS.checkout),
  with: { 'persist-credentials': false },
};

function loadImageSteps(): Obj[] {
  return [
    {
      name: 'Download the image',
      uses: usesRef(ACTIONS.downloadArtifact),
      with: { name: IMAGE_ARTIFACT, path: '${{ runner.temp }}' },
    },
    { name: 'Load the image', run: script(`docker load --input "$RUNNER_TEMP"/${IMAGE_TAR}`) },
  ];
}

function loadApparmorStep(p: Plan, mode: 'enforce' | 'complain'): Obj {
  const file = p.apparmorFile!;
  const profile = p.f.apparmorProfile;
  return {
    name: `Load the AppArmor profile (${mode} mode)`,
    run: script(
      `sudo apparmor_parser ${mode === 'complain' ? '-C ' : ''}-r ${q(file)}`,
      `sudo grep -F ${q(`${profile} (${mode})`)} /sys/kernel/security/apparmor/profiles`,
    ),
  };
}

function lintJob(p: Plan): Obj {
  const packages: string[] = [];
  if (p.seccompFile) packages.push('seccomp');
  if (p.apparmorFile) packages.push('apparmor');
  if (p.smokeTest) packages.push('shellcheck');
  const steps: Obj[] = [
    checkoutStep,
    {
      name: 'Lint the Dockerfile',
      uses: usesRef(ACTIONS.hadolint),
      // Style and info notes (e.g. DL3059, consecutive RUNs) do not fail the build.
      with: { dockerfile: p.c.layout.dockerfile, 'failure-threshold': 'warning' },
    },
  ];
  if (packages.length > 0) {
    steps.push({
      name: 'Install the checkers',
      run: script(
        'sudo apt-get update -qq',
        `sudo apt-get install -y -qq --no-install-recommends ${shellJoin(packages)}`,
      ),
    });
  }
  if (p.smokeTest) steps.push({ name: 'Shellcheck the smoke test', run: shellcheckScript(p.smokeTest) });
  if (p.seccompFile) {
    steps.push({ name: 'Check every seccomp syscall name per architecture', run: seccompNamesScript(p) });
  }
  if (p.apparmorFile) {
    steps.push({ name: 'Compile the AppArmor profile', run: apparmorCompileScript(p.apparmorFile, true) });
  }
  return { name: 'Lint Dockerfile, smoke test and profiles', 'runs-on': RUNNER, 'timeout-minutes': 10, steps };
}

function buildJob(p: Plan): Obj {
  return {
    name: 'Build the image',
    'runs-on': RUNNER,
    'timeout-minutes': 20,
    steps: [
      checkoutStep,
      {
        name: 'Build',
        run: script(`docker build ${shellJoin(['--file', p.c.layout.dockerfile, '--tag', p.f.image, '.'])}`),
      },
      { name: 'Save', run: script(`docker save --output "$RUNNER_TEMP"/${IMAGE_TAR} ${q(p.f.image)}`) },
      {
        name: 'Upload the image',
        uses: usesRef(ACTIONS.uploadArtifact),
        with: {
          name: IMAGE_ARTIFACT,
          path: `\${{ runner.temp }}/${IMAGE_TAR}`,
          'if-no-files-found': 'error',
          'retention-days': 1,
        },
      },
    ],
  };
}

function apparmorJob(p: Plan): Obj {
  const profile = p.f.apparmorProfile;
  const { complain, enforce } = CONTAINERS;
  const allowed = 'apparmor-allowed.log';
  // Complain-mode records read `apparmor="ALLOWED" … profile="NAME"` (or NAME//child).
  const profileField = `profile="${profile}(//[^"]*)?"`;
  return {
    name: 'AppArmor: complain run, then enforce',
    needs: ['build'],
    'runs-on': RUNNER,
    'timeout-minutes': 15,
    steps: [
      checkoutStep,
      ...loadImageSteps(),
      {
        name: 'Log every AppArmor record',
        run: script('sudo sysctl -w kernel.printk_ratelimit=0'),
      },
      loadApparmorStep(p, 'complain'),
      {
        name: 'Run the container and the smoke test (complain mode)',
        run: script(...startScript(p, complain), p.smokeTest !== null && smokeScript(p.smokeTest, complain).trimEnd()),
      },
      {
        name: 'Collect what enforce mode would deny',
        if: '${{ !cancelled() }}',
        run: script(
          removeScript(complain).trimEnd(),
          '{',
          '  sudo journalctl -k --no-pager -o cat 2>/dev/null || sudo dmesg',
          '  sudo cat /var/log/audit/audit.log 2>/dev/null || true',
          '} > kernel.log',
          `grep -F 'apparmor="ALLOWED"' kernel.log | grep -E ${q(profileField)} > ${allowed} || true`,
          `echo "AppArmor complain mode recorded $(wc -l < ${allowed}) operation(s) outside ${profile}:"`,
          `cat ${allowed}`,
        ),
      },
      loadApparmorStep(p, 'enforce'),
      {
        name: 'Run the container and the smoke test (enforce mode)',
        run: script(...startScript(p, enforce), p.smokeTest !== null && smokeScript(p.smokeTest, enforce).trimEnd()),
      },
      {
        name: 'Fail if enforce mode would have denied anything',
        if: '${{ !cancelled() }}',
        run: script(
          `if [ -s ${allowed} ]; then`,
          `  echo ${q(`error: ${profile} would deny these operations (complain-mode ALLOWED records):`)} >&2`,
          `  cat ${allowed} >&2`,
          '  exit 1',
          'fi',
        ),
      },
      { name: 'Remove the containers', if: '${{ always() }}', run: removeScript(complain, enforce) },
    ],
  };
}

function runHardenedJob(p: Plan): Obj {
  const name = CONTAINERS.hardened;
  const steps: Obj[] = [checkoutStep, ...loadImageSteps()];
  if (p.apparmorFile) steps.push(loadApparmorStep(p, 'enforce'));
  steps.push({ name: 'Start the container with the documented hardening flags', run: script(...startScript(p, name)) });
  if (p.smokeTest) steps.push({ name: 'Run the smoke test inside the container', run: smokeScript(p.smokeTest, name) });
  steps.push(
    { name: 'Fail on denials in the logs', if: '${{ !cancelled() }}', run: logScanScript(name) },
    { name: 'Remove the container', if: '${{ always() }}', run: removeScript(name) },
  );
  return {
    name: 'Run with the hardening flags',
    needs: ['build'],
    'runs-on': RUNNER,
    'timeout-minutes': 15,
    steps,
  };
}

/**
 * kind nodes share the runner's kernel, but the node image ships no AppArmor
 * userspace and does not mount securityfs, so the kubelet would refuse every
 * pod that names an AppArmor profile (the canary always does). The job adds
 * apparmor to the pinned node image and mounts /sys/kernel/security into it.
 */
function kindConfig(): Obj {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [
      {
        role: 'control-plane',
        extraMounts: [{ hostPath: '/sys/kernel/security', containerPath: '/sys/kernel/security' }],
      },
    ],
  };
}

function canaryJob(p: Plan): Obj {
  const { c, f } = p;
  const ns = c.k8s.namespace;
  const deployment = `deployment/${c.name}`;
  const seccomp = seccompChoice(c, f);
  const apparmor = apparmorChoice(c, f);
  const steps: Obj[] = [checkoutStep, ...loadImageSteps()];
  if (p.apparmorFile && apparmor.type === 'Localhost') {
    steps.push({
      name: 'Load the AppArmor profile on the host (kind nodes share its kernel)',
      run: script(
        `sudo apparmor_parser -r ${q(p.apparmorFile)}`,
        `sudo grep -F ${q(`${apparmor.localhostProfile} (enforce)`)} /sys/kernel/security/apparmor/profiles`,
      ),
    });
  }
  steps.push(
    {
      name: 'Prepare an AppArmor-capable kind node',
      run: script(
        `docker build --tag ${q(KIND_NODE_IMAGE)} - <<'DOCKERFILE'`,
        `FROM ${KIND.nodeImage}`,
        'RUN apt-get update \\',
        ' && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends apparmor \\',
        ' && rm -rf /var/lib/apt/lists/*',
        'DOCKERFILE',
        `printf '%s\\n' ${q(JSON.stringify(kindConfig()))} > "$RUNNER_TEMP"/kind.yaml`,
      ),
    },
    {
      name: 'Create the kind cluster',
      uses: usesRef(ACTIONS.kind),
      with: {
        version: KIND.version,
        node_image: KIND_NODE_IMAGE,
        config: '${{ runner.temp }}/kind.yaml',
        cluster_name: KIND_CLUSTER,
        wait: '120s',
      },
    },
  );
  const nodeSetup: string[] = [`for node in $(kind get nodes --name ${q(KIND_CLUSTER)}); do`];
  nodeSetup.push('  docker exec "$node" test -d /sys/kernel/security/apparmor');
  if (seccomp.type === 'Localhost' && p.seccompFile) {
    const target = `${KUBELET_SECCOMP_ROOT}/${seccomp.localhostProfile}`;
    const dir = target.slice(0, target.lastIndexOf('/'));
    nodeSetup.push(
      `  docker exec "$node" mkdir -p ${q(dir)}`,
      `  docker cp ${q(p.seccompFile)} "$node":${q(target)}`,
    );
  }
  if (apparmor.type === 'Localhost' && p.apparmorFile) {
    nodeSetup.push(
      `  docker exec "$node" grep -F ${q(`${apparmor.localhostProfile} (enforce)`)} /sys/kernel/security/apparmor/profiles`,
    );
  }
  nodeSetup.push('done', `kind load docker-image ${q(f.image)} --name ${q(KIND_CLUSTER)}`);
  steps.push({
    name: seccomp.type === 'Localhost' && seccomp.route === 'operator'
      ? 'Install the profiles where the Security Profiles Operator puts them, load the image'
      : 'Install the seccomp profile on the node, load the image',
    run: script(...nodeSetup),
  });
  if (c.k8s.operator) {
    steps.push({
      name: 'Install the Security Profiles Operator resource definitions',
      run: script(
        `kubectl apply ${SPO_CRDS.map((url) => `-f ${q(url)}`).join(' ')}`,
        'kubectl wait --for condition=established --timeout=60s crd/seccompprofiles.security-profiles-operator.x-k8s.io crd/apparmorprofiles.security-profiles-operator.x-k8s.io',
      ),
    });
  }
  steps.push(
    {
      name: 'Apply the canary manifests',
      run: script(
        `kubectl apply -k ${q(c.layout.k8sDir)}`,
        `enforce=$(kubectl get namespace ${q(ns)} -o jsonpath='{.metadata.labels.pod-security\\.kubernetes\\.io/enforce}')`,
        'if [ "$enforce" != restricted ]; then',
        `  echo ${q(`error: namespace ${ns} does not enforce the restricted Pod Security Standard`)} >&2`,
        '  exit 1',
        'fi',
        `kubectl -n ${q(ns)} rollout status ${q(deployment)} --timeout=180s`,
      ),
    },
  );
  if (p.smokeTest) {
    steps.push({
      name: 'Run the smoke test in the pod',
      run: script(`kubectl -n ${q(ns)} exec -i ${q(deployment)} -- sh -s < ${q(p.smokeTest)}`),
    });
  }
  steps.push(
    {
      name: 'Show the cluster state',
      if: '${{ failure() }}',
      run: script(
        `kubectl -n ${q(ns)} get all,events || true`,
        `kubectl -n ${q(ns)} describe pods || true`,
        `kubectl -n ${q(ns)} logs ${q(deployment)} --all-containers || true`,
      ),
    },
    {
      name: 'Delete the kind cluster',
      if: '${{ always() }}',
      run: script(`kind delete cluster --name ${q(KIND_CLUSTER)}`),
    },
  );
  return {
    name: 'Canary on kind (Pod Security restricted)',
    needs: ['build'],
    'runs-on': RUNNER,
    'timeout-minutes': 25,
    steps,
  };
}

/** The GitHub Actions workflow as a plain object (exported for tests). */
export function githubWorkflow(c: Config, f: Facts): Obj {
  const p = plan(c, f, 'github');
  const jobs: Obj = { lint: lintJob(p), build: buildJob(p) };
  if (p.apparmorFile) jobs.apparmor = apparmorJob(p);
  jobs['run-hardened'] = runHardenedJob(p);
  if (p.k8s) jobs.canary = canaryJob(p);
  return {
    name: 'container-security',
    on: {
      push: { branches: ['main', 'master'] },
      pull_request: {},
      workflow_dispatch: {},
    },
    permissions: { contents: 'read' },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true },
    defaults: { run: { shell: 'bash' } },
    jobs,
  };
}

// ---------------------------------------------------------------------------
// GitLab CI
// ---------------------------------------------------------------------------

const DIND: Obj = {
  image: GITLAB_IMAGES.docker,
  services: [GITLAB_IMAGES.dind],
  variables: { DOCKER_TLS_CERTDIR: '/certs' },
};

/** The GitLab CI pipeline as a plain object (exported for tests). */
export function gitlabPipeline(c: Config, f: Facts): Obj {
  const p = plan(c, f, 'gitlab');
  const name = CONTAINERS.hardened;
  const packages = ['python3'];
  if (p.seccompFile) packages.push('seccomp');
  if (p.apparmorFile) packages.push('apparmor');
  if (p.smokeTest) packages.push('shellcheck');
  const lintScript: string[] = [];
  if (p.smokeTest) lintScript.push(shellcheckScript(p.smokeTest));
  if (p.seccompFile) lintScript.push(seccompNamesScript(p));
  if (p.apparmorFile) lintScript.push(apparmorCompileScript(p.apparmorFile, false));

  const doc: Obj = {
    stages: ['lint', 'build', 'test'],
    default: { interruptible: true },
    hadolint: {
      stage: 'lint',
      image: { name: GITLAB_IMAGES.hadolint, entrypoint: [''] },
      timeout: '10 minutes',
      script: [script(`hadolint --failure-threshold warning ${q(c.layout.dockerfile)}`)],
    },
  };
  if (lintScript.length > 0) {
    doc.lint = {
      stage: 'lint',
      image: GITLAB_IMAGES.debian,
      timeout: '10 minutes',
      before_script: [
        script(
          'apt-get update -qq',
          `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${shellJoin(packages)}`,
        ),
      ],
      script: lintScript,
    };
  }
  doc.build = {
    ...DIND,
    stage: 'build',
    timeout: '20 minutes',
    script: [
      script(`docker build ${shellJoin(['--file', c.layout.dockerfile, '--tag', f.image, '.'])}`),
      script(`docker save --output ${IMAGE_TAR} ${q(f.image)}`),
    ],
    artifacts: { paths: [IMAGE_TAR], expire_in: '1 day' },
  };
  const run: string[] = [script(`docker load --input ${IMAGE_TAR}`), script(...startScript(p, name))];
  if (p.smokeTest) run.push(smokeScript(p.smokeTest, name));
  // after_script cannot fail a job, so the log scan is part of the script.
  run.push(logScanScript(name));
  doc['run-hardened'] = {
    ...DIND,
    stage: 'test',
    needs: ['build'],
    timeout: '15 minutes',
    script: run,
    after_script: [script(`docker logs ${q(name)} || true`), removeScript(name)],
  };
  return doc;
}

// ---------------------------------------------------------------------------
// Serialisation
// ---------------------------------------------------------------------------

const VERSION_BY_REF = new Map(PINNED_ACTIONS.map((a) => [usesRef(a), a.version]));

function serialise(obj: Obj, header: readonly string[]): string {
  // Shared step objects are written out in full, never as YAML anchors/aliases.
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  // `uses: owner/repo@<sha> # vX.Y.Z`: the tag a pinned commit belongs to.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'uses' && isScalar(pair.value)) {
        const version = VERSION_BY_REF.get(String(pair.value.value));
        if (!version) throw new Error(`unpinned action: ${String(pair.value.value)}`);
        pair.value.comment = ` ${version}`;
      }
    },
  });
  // `---` and two spaces before a comment: what yamllint's default rules expect.
  return doc
    .toString({ lineWidth: 0, directives: true })
    .replace(/^(\s*(?:- )?uses: \S+) #/gm, '$1  #');
}

const HEADER = [
  'Generated by pyconfine from .pyconfine.json. Re-run `npx pyconfine init` to update.',
  'Proves the container hardening on every change: lint (Dockerfile, smoke test,',
  'seccomp names per architecture, AppArmor compile), build, then run the image',
  'with exactly the documented hardening flags and the smoke test inside it.',
];

export const renderWorkflow: Renderer = (c, f) => {
  if (c.ci === 'gitlab') {
    const header = [
      ...HEADER,
      'AppArmor is compiled here but enforced only where profiles can be loaded on the',
      'host (the GitHub workflow does that, and runs the kind canary); Docker-in-Docker',
      'cannot load AppArmor profiles, so the run job leaves out --security-opt apparmor=.',
    ];
    return [{ path: GITLAB_FILE, mode: 0o644, content: serialise(gitlabPipeline(c, f), header) }];
  }
  return [{ path: f.workflowFile, mode: 0o644, content: serialise(githubWorkflow(c, f), HEADER) }];
};
