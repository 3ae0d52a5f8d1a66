/**
 * The one way templates are rendered. EJS is a JavaScript runtime, so:
 * - options are a frozen constant; no user data ever reaches them;
 * - `strict` with a `localsName`, so a misspelt variable throws;
 * - `<%=` (HTML escaping) throws: templates must use `<%-` with an explicit
 *   helper from escape.ts.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ejs from 'ejs';
import * as escape from './escape.js';

const OPTIONS: Readonly<ejs.Options & { async: false }> = Object.freeze({
  strict: true,
  localsName: 'it',
  _with: false,
  async: false,
  rmWhitespace: false,
  escape: (): string => {
    throw new Error('template uses <%= — use <%- with an explicit escape helper');
  },
});

let templatesDir: string | undefined;

/** Locate `templates/` both from the bundle (dist/) and from sources (src/render/). */
export function findTemplatesDir(): string {
  if (templatesDir) return templatesDir;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(candidate, 'Dockerfile.ejs'))) return (templatesDir = candidate);
    dir = path.dirname(dir);
  }
  throw new Error('pyconfine: templates directory not found next to the program');
}

const cache = new Map<string, ejs.TemplateFunction>();

function compile(name: string): ejs.TemplateFunction {
  let fn = cache.get(name);
  if (!fn) {
    const file = path.join(findTemplatesDir(), name);
    fn = ejs.compile(readFileSync(file, 'utf8'), { ...OPTIONS, filename: file }) as ejs.TemplateFunction;
    cache.set(name, fn);
  }
  return fn;
}

/** Render `templates/<name>` with `it = { ...data, q: escape helpers }`. */
export function renderTemplate(name: string, data: Record<string, unknown>): string {
  return compile(name)({ ...data, q: escape });
}

/** Render a template given as text (tests use this to check the safety rules). */
export function renderString(source: string, data: Record<string, unknown>): string {
  return ejs.render(source, { ...data, q: escape }, OPTIONS) as string;
}
