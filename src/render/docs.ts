/**
 * SECURITY-RUNTIME.md: the exact commands to build, run and verify the
 * hardened container, each derived from the same facts as the artifacts, and
 * why each control exists.
 */
import { shellJoin, shellQuote } from './escape.js';
import { renderTemplate } from './ejs.js';
import { dockerRunArgv, formatCommand, hardeningFlags } from './runtime.js';
import type { Renderer } from './types.js';

import { nodeSeccompPath } from './k8s/objects.js';

export const KIND_CLUSTER = 'pyconfine-canary';

export const renderDocs: Renderer = (c, f) => {
  const has = (a: string): boolean => (c.artifacts as readonly string[]).includes(a);
  const build = shellJoin(['docker', 'build', '--tag', f.image, '--file', c.layout.dockerfile, '.']);
  const run = formatCommand(dockerRunArgv(c, f), shellQuote);
  const oneOff = (cmd: string[]): string =>
    formatCommand(['docker', 'run', '--rm', ...hardeningFlags(c, f, { publish: false }), f.image, ...cmd], shellQuote);
  const statusCheck = shellJoin(['docker', 'exec', c.name, 'grep', '-E', '^(Uid|Gid|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):', '/proc/1/status']);
  const smoke = `${shellJoin(['docker', 'exec', '-i', c.name, 'sh', '-s'])} < ${shellQuote(c.layout.smokeTest)}`;
  const ns = c.k8s.namespace;
  const seccompNodePath = nodeSeccompPath(c, f) ?? '';
  const content = renderTemplate('docs.md.ejs', {
    c,
    f,
    has: { seccomp: f.seccompFile !== null && has('seccomp'), apparmor: f.apparmorFile !== null && has('apparmor'), smoke: has('smoke-test'), k8s: has('k8s'), workflow: has('workflow'), compose: has('compose') },
    build,
    run,
    statusCheck,
    smoke,
    migrate: c.framework === 'django' ? oneOff(['python', 'manage.py', 'migrate', '--noinput']) : '',
    apparmorLoad: f.apparmorFile ? shellJoin(['sudo', 'apparmor_parser', '--replace', '--write-cache', f.apparmorFile]) : '',
    apparmorStatus: `sudo aa-status | grep -F ${shellQuote(f.apparmorProfile)}`,
    apparmorComplain: f.apparmorFile ? shellJoin(['sudo', 'apparmor_parser', '--complain', '--replace', f.apparmorFile]) : '',
    seccompInstall: f.seccompFile && seccompNodePath ? shellJoin(['sudo', 'install', '-D', '-m', '0644', f.seccompFile, seccompNodePath]) : '',
    seccompNodePath,
    kubectlApply: shellJoin(['kubectl', 'apply', '-k', c.layout.k8sDir]),
    rollout: shellJoin(['kubectl', '--namespace', ns, 'rollout', 'status', `deployment/${c.name}`, '--timeout=120s']),
    podSmoke: `${shellJoin(['kubectl', '--namespace', ns, 'exec', '-i', `deployment/${c.name}`, '--', 'sh', '-s'])} < ${shellQuote(c.layout.smokeTest)}`,
    kind: {
      create: shellJoin(['kind', 'create', 'cluster', '--name', KIND_CLUSTER]),
      mkdir: seccompNodePath ? shellJoin(['docker', 'exec', `${KIND_CLUSTER}-control-plane`, 'mkdir', '-p', seccompNodePath.replace(/\/[^/]+$/, '')]) : '',
      copy: f.seccompFile && seccompNodePath ? shellJoin(['docker', 'cp', f.seccompFile, `${KIND_CLUSTER}-control-plane:${seccompNodePath}`]) : '',
      load: shellJoin(['kind', 'load', 'docker-image', f.image, '--name', KIND_CLUSTER]),
      remove: shellJoin(['kind', 'delete', 'cluster', '--name', KIND_CLUSTER]),
    },
    compose: shellJoin(['docker', 'compose', '--file', c.layout.compose, 'up', '--detach', '--build']),
    curl: shellJoin(['curl', '--fail', '--silent', '--show-error', `http://127.0.0.1:${c.publish[0]}${c.healthPath}`]),
    stop: shellJoin(['docker', 'stop', c.name]),
  });
  return [{ path: c.layout.docs, mode: 0o644, content }];
};
