/**
 * The build context as `COPY . .` sees it: the project tree minus what
 * .dockerignore excludes. Enough of Docker's matching for generated files:
 * `*`, `?`, `**`, character classes, `!` exceptions, and a match on a
 * directory excluding everything below it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface Rule {
  readonly re: RegExp;
  readonly negate: boolean;
}

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseDockerignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    rules.push({ re: toRegExp(line), negate });
  }
  return rules;
}

/** Whether a context-relative POSIX path is excluded (the last matching rule wins). */
export function isIgnored(rules: readonly Rule[], rel: string): boolean {
  const parts = rel.split('/');
  let ignored = false;
  for (const rule of rules) {
    for (let n = 1; n <= parts.length; n++) {
      if (rule.re.test(parts.slice(0, n).join('/'))) {
        ignored = !rule.negate;
        break;
      }
    }
  }
  return ignored;
}

/** Copy `src` to `dest` as the build context would carry it. Returns copied paths. */
export function copyContext(src: string, dest: string): string[] {
  const ignoreFile = path.join(src, '.dockerignore');
  const rules = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
  const copied: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(src, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if (isIgnored(rules, child)) continue;
      const from = path.join(src, child);
      if (statSync(from).isDirectory()) {
        mkdirSync(path.join(dest, child), { recursive: true });
        walk(child);
      } else {
        cpSync(from, path.join(dest, child));
        copied.push(child);
      }
    }
  };
  mkdirSync(dest, { recursive: true });
  walk('');
  return copied;
}
