/**
 * Built-in defaults: the lowest layer of the merge
 * (defaults < preset < flags < prompt answers).
 * Framework-dependent defaults live in knowledge/frameworks.ts.
 */
import { ARTIFACTS, type Config } from './schema.js';

export const DEFAULT_LAYOUT: Config['layout'] = {
  dockerfile: 'Dockerfile',
  compose: 'compose.yaml',
  seccompDir: 'security/seccomp',
  apparmorDir: 'security/apparmor',
  smokeTest: 'security/smoke-test.sh',
  k8sDir: 'deploy/k8s',
  docs: 'SECURITY-RUNTIME.md',
};

/** Defaults that do not depend on other answers. */
export const BASE_DEFAULTS = {
  python: '3.12',
  deps: 'pip',
  workers: 2,
  port: 8000,
  volumes: [],
  egress: 'none',
  egressCheck: '',
  uid: 10001,
  gid: 10001,
  healthPath: '/healthz',
  seccomp: 'strict',
  apparmor: 'on',
  arches: ['amd64', 'arm64'],
  capAdd: [],
  ci: 'github',
  command: [],
  artifacts: [...ARTIFACTS],
  layout: DEFAULT_LAYOUT,
} as const satisfies Partial<Config>;

/** A complete, valid Config for tests and examples. */
export function exampleConfig(overrides: Partial<Config> = {}): Config {
  const base: Config = {
    ...BASE_DEFAULTS,
    name: 'web',
    framework: 'flask',
    server: 'gunicorn',
    appModule: 'app:app',
    command: [],
    publish: [8000],
    volumes: [],
    baseImage: { ref: 'python:3.12-slim' },
    arches: ['amd64', 'arm64'],
    capAdd: [],
    k8s: { version: '1.30', namespace: 'web', seccomp: 'localhost', operator: false },
    artifacts: [...ARTIFACTS],
  };
  return Object.freeze({ ...base, ...overrides });
}
