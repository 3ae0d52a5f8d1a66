/**
 * The one way templates are rendered. EJS is a JavaScript runtime, so:
 * - options are a frozen constant; no user data ever reaches them;
 * - `strict` with a `localsName`, so a misspelt variable throws;
 * - `<%=` (HTML escaping) throws: templates must use `<%-` with an explicit
 *   helper from escape.ts.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ejs from 'ejs';
import * as escape from './escape.js';

/** What `<%=` calls: always an error (kept self-contained so it survives precompilation). */
function refuseHtmlEscape(): string {
  throw new Error('template uses <%= — use <%- with an explicit escape helper');
}

const OPTIONS: Readonly<ejs.Options & { async: false }> = Object.freeze({
  strict: true,
  localsName: 'it',
  _with: false,
  async: false,
  rmWhitespace: false,
  escape: refuseHtmlEscape,
});

/**
 * The build precompiles the shipped templates with these same options into
 * `dist/templates.cjs` (see scripts/build.mjs), so a run does not pay for
 * compiling them. Each entry keeps the source it was compiled from and is
 * used only while the file on disk still has exactly that text.
 */
export const EJS_OPTIONS = OPTIONS;
export const PRECOMPILED_FILE = 'templates.cjs';

type ClientFunction = (data: Record<string, unknown>, escapeFn: (s: unknown) => string) => string;
interface Precompiled {
  readonly [name: string]: { readonly source: string; readonly fn: ClientFunction };
}

let precompiled: Precompiled | null | undefined;

/** Set by the build: only the bundle uses the precompiled templates; sources always compile. */
declare const __PYCONFINE_BUNDLED__: boolean | undefined;
const BUNDLED = typeof __PYCONFINE_BUNDLED__ === 'boolean' && __PYCONFINE_BUNDLED__;

function loadPrecompiled(): Precompiled | null {
  if (precompiled !== undefined) return precompiled;
  if (!BUNDLED) return (precompiled = null);
  const file = path.join(path.dirname(findTemplatesDir()), 'dist', PRECOMPILED_FILE);
  precompiled = existsSync(file) ? (createRequire(import.meta.url)(file) as Precompiled) : null;
  return precompiled;
}

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
    const source = readFileSync(file, 'utf8');
    const pre = loadPrecompiled()?.[name];
    if (pre && pre.source === source) {
      const client = pre.fn;
      fn = ((data: Record<string, unknown>) => client(data, refuseHtmlEscape)) as ejs.TemplateFunction;
    } else {
      fn = ejs.compile(source, { ...OPTIONS, filename: file }) as ejs.TemplateFunction;
    }
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
