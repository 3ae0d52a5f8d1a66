/**
 * Context-specific quoting for generated text. Templates use `<%-` with one of
 * these helpers; `<%=` (HTML escaping, wrong for every file we write) throws.
 */

/** Quote one word for POSIX sh. Plain words stay bare for readability. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,.\/-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Join argv words into one shell command line. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** A JSON string literal (also a valid YAML double-quoted scalar). */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

/** A YAML scalar: always double-quoted, so no value can change the document's shape. */
export function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** Exec-form array for Dockerfile CMD/ENTRYPOINT/HEALTHCHECK. */
export function execForm(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

/**
 * A path in an AppArmor rule. Config paths are already restricted to
 * [A-Za-z0-9._/-]; anything else here is a programming error.
 */
export function apparmorPath(path: string): string {
  if (!/^\/[A-Za-z0-9._\/*{},@-]*$/.test(path)) {
    throw new Error(`unsafe AppArmor path: ${JSON.stringify(path)}`);
  }
  return path;
}

/** A value on a Dockerfile ENV line: double-quoted with backslash escapes. */
export function dockerEnvValue(value: string): string {
  return `"${value.replace(/[\\"$]/g, (ch) => `\\${ch}`)}"`;
}
