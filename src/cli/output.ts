/** Human-readable plan, diffs and next steps. */
import path from 'node:path';
import type { PlanEntry } from '../plan/plan.js';
import type { Config } from '../config/schema.js';
import { deriveFacts } from '../config/facts.js';
import { shellQuote } from '../render/escape.js';

const LABEL: Record<PlanEntry['action'], string> = {
  create: 'create   ',
  update: 'update   ',
  unchanged: 'unchanged',
  conflict: 'CONFLICT ',
};

export function formatPlan(plan: readonly PlanEntry[], dir: string, dryRun: boolean): string {
  const lines = [`${dryRun ? 'Plan (dry run, nothing written)' : 'Wrote'} for ${dir}:`];
  for (const e of plan) lines.push(`  ${LABEL[e.action]}  ${e.path}`);
  const counts = (['create', 'update', 'unchanged', 'conflict'] as const)
    .map((a) => [a, plan.filter((e) => e.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} ${a}`);
  lines.push(`  ${counts.join(', ')}`);
  if (plan.some((e) => e.action === 'conflict')) {
    lines.push('  CONFLICT: changed since pyconfine wrote it; re-run with --force to overwrite');
  }
  return lines.join('\n') + '\n';
}

/** Unified diffs of every file that would change (diff is loaded only for --dry-run). */
export async function formatDiffs(plan: readonly PlanEntry[]): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  let out = '';
  for (const e of plan) {
    if (e.action === 'unchanged') continue;
    out += createTwoFilesPatch(e.before === undefined ? '/dev/null' : `a/${e.path}`, `b/${e.path}`, e.before ?? '', e.file.content, '', '', { context: 3 });
  }
  return out;
}

export function nextSteps(c: Config, dir: string, cwd: string): string {
  const f = deriveFacts(c);
  const rel = path.relative(cwd, dir) || '.';
  const shown = rel.startsWith('..') ? dir : rel;
  const cd = shown === '.' ? '' : `cd ${shellQuote(shown)} && `;
  return [
    'Next steps:',
    `  ${cd}docker build -t ${f.image} .`,
    `  then follow ${c.layout.docs} to load the profiles and run the container hardened.`,
    '',
  ].join('\n');
}
