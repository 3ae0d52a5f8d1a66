/** The multi-stage, non-root Dockerfile and its .dockerignore. */
import { djangoSettingsModule } from '../config/facts.js';
import { TOOL_VERSIONS } from '../knowledge/frameworks.js';
import { renderTemplate } from './ejs.js';
import type { Renderer } from './types.js';

/** The HEALTHCHECK command: Python's urllib, since slim images carry no curl. */
export function healthcheckArgv(healthUrl: string): string[] {
  return [
    'python',
    '-c',
    'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=4)',
    healthUrl,
  ];
}

export const renderDockerfile: Renderer = (c, f) => [
  {
    path: c.layout.dockerfile,
    mode: 0o644,
    content: renderTemplate('Dockerfile.ejs', {
      baseImage: f.baseImage,
      appDir: f.appDir,
      venvDir: f.venvDir,
      deps: c.deps,
      framework: c.framework,
      djangoSettings: c.framework === 'django' ? djangoSettingsModule(c) : '',
      docs: c.layout.docs,
      toolVersions: TOOL_VERSIONS,
      env: f.env,
      uid: c.uid,
      gid: c.gid,
      volumes: c.volumes,
      port: c.port,
      healthcheck: healthcheckArgv(f.healthUrl),
      argv: f.argv,
    }),
  },
];

export const renderDockerignore: Renderer = (c) => {
  const securityDirs = [c.layout.seccompDir, c.layout.apparmorDir, c.layout.smokeTest];
  return [
    {
      path: '.dockerignore',
      mode: 0o644,
      content: renderTemplate('dockerignore.ejs', {
        dockerfile: c.layout.dockerfile,
        compose: c.layout.compose,
        docs: c.layout.docs,
        securityDirs,
        k8sDir: c.layout.k8sDir,
      }),
    },
  ];
};
