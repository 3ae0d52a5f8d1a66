/**
 * All renderers, in output order. Each artifact is contributed by one module;
 * `renderAll` filters by the Config's `artifacts` list.
 */
import type { Config, Artifact } from '../config/schema.js';
import { deriveFacts } from '../config/facts.js';
import type { RenderedFile, Renderer } from './types.js';
import { renderDockerfile, renderDockerignore } from './dockerfile.js';
import { renderCompose } from './compose.js';
import { renderSeccomp } from './seccomp.js';
import { renderApparmor } from './apparmor.js';
import { renderSmokeTest } from './smoke-test.js';
import { renderWorkflow } from './workflow.js';
import { renderK8s } from './k8s.js';
import { renderDocs } from './docs.js';
import { renderApp } from './app.js';
import { renderRecord } from './record.js';

export interface RenderOptions {
  /** Scaffold a minimal app (only when the target has no Python app yet). */
  readonly scaffold: boolean;
}

const RENDERERS: readonly (readonly [Artifact, Renderer])[] = [
  ['dockerfile', renderDockerfile],
  ['dockerignore', renderDockerignore],
  ['compose', renderCompose],
  ['seccomp', renderSeccomp],
  ['apparmor', renderApparmor],
  ['smoke-test', renderSmokeTest],
  ['workflow', renderWorkflow],
  ['k8s', renderK8s],
  ['docs', renderDocs],
  ['app', renderApp],
];

export function renderAll(config: Config, opts: RenderOptions = { scaffold: true }): RenderedFile[] {
  const facts = deriveFacts(config);
  const files: RenderedFile[] = [];
  for (const [artifact, render] of RENDERERS) {
    if (!config.artifacts.includes(artifact)) continue;
    if (artifact === 'app' && !opts.scaffold) continue;
    files.push(...render(config, facts));
  }
  files.push(renderRecord(config, files));
  return files;
}
