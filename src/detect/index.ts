/**
 * Facts about an existing repository, read without executing anything:
 * whether it already holds a Python app (then nothing is scaffolded) and,
 * where the dependency files say so, which framework it uses.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Answers } from '../config/resolve.js';

export interface RepoFacts {
  readonly hasPythonApp: boolean;
  readonly answers: Answers;
}

const APP_MARKERS = ['requirements.txt', 'pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile', 'manage.py'];

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

export async function detectRepo(dir: string): Promise<RepoFacts> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { hasPythonApp: false, answers: {} };
  }
  const hasPythonApp = names.some((n) => APP_MARKERS.includes(n) || n.endsWith('.py'));
  const answers: Record<string, unknown> = {};
  const deps = (await readIfExists(path.join(dir, 'requirements.txt'))) + (await readIfExists(path.join(dir, 'pyproject.toml')));
  const lower = deps.toLowerCase();
  const has = (pkg: string): boolean => new RegExp(`(^|[\\s"'\\[,])${pkg}([\\s"'<>=~!;\\[,]|$)`, 'm').test(lower);
  if (names.includes('manage.py') || has('django')) answers['framework'] = 'django';
  else if (has('fastapi')) answers['framework'] = 'fastapi';
  else if (has('flask')) answers['framework'] = 'flask';
  if (names.includes('uv.lock')) answers['deps'] = 'uv';
  else if (names.includes('poetry.lock') || /\[tool\.poetry\]/.test(deps)) answers['deps'] = 'poetry';
  else if (names.includes('requirements.txt')) answers['deps'] = 'pip';
  return { hasPythonApp, answers };
}
