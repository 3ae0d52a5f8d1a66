/**
 * Reading answer files: a preset (JSON or YAML) and the recorded answers in
 * .pyconfine.json. Both are validated later by the same schema as flags.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Answers } from './resolve.js';
import { RECORD_PATH, RECORD_VERSION } from '../render/record.js';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const PRESET_FILE = /\.(json|ya?ml)$/i;

/**
 * `--preset NAME|FILE`: a path to a file, or the name of a preset shipped in
 * the package's `presets/` folder (`web-team` → presets/web-team.yaml).
 */
export function resolvePreset(arg: string, cwd: string, shippedDir: string): string {
  if (arg.includes('/') || PRESET_FILE.test(arg)) return path.resolve(cwd, arg);
  for (const ext of ['.yaml', '.yml', '.json']) {
    const file = path.join(shippedDir, arg + ext);
    if (existsSync(file)) return file;
  }
  const shipped = existsSync(shippedDir) ? readdirSync(shippedDir).filter((f) => PRESET_FILE.test(f)).map((f) => f.replace(PRESET_FILE, '')) : [];
  throw new UserError(
    `unknown preset ${JSON.stringify(arg)}`,
    `pass the path of a JSON or YAML file${shipped.length ? `, or one of the shipped presets: ${shipped.sort().join(', ')}` : ''}`,
  );
}

export async function loadPreset(file: string): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read preset ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'pass --preset with the path of a JSON or YAML file', { cause: err });
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new UserError(`preset ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${first}`, 'fix the syntax and re-run', { cause: err });
  }
  if (!isPlainObject(data)) throw new UserError(`preset ${file} is not a mapping of answers`, 'write keys like framework: flask, port: 8000');
  return data as Answers;
}

export interface Recorded {
  readonly answers: Answers;
  readonly hashes: Readonly<Record<string, string>>;
}

export async function loadRecord(dir: string): Promise<Recorded | undefined> {
  const file = path.join(dir, RECORD_PATH);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${RECORD_PATH} is not valid JSON`, `fix or delete ${RECORD_PATH} and re-run with your flags`, { cause: err });
  }
  if (!isPlainObject(data) || data['pyconfine'] !== RECORD_VERSION || !isPlainObject(data['config'])) {
    throw new UserError(`${RECORD_PATH} is not a pyconfine record of version ${RECORD_VERSION}`, `delete ${RECORD_PATH} and re-run with your flags`);
  }
  const hashes = isPlainObject(data['files']) ? (data['files'] as Record<string, string>) : {};
  return { answers: data['config'] as Answers, hashes };
}
