/**
 * Deliberately broken copies of a generated profile, for negative controls:
 * the guest must report FAIL for exactly the checks each break affects.
 * Each edit must change the profile, or the control would prove nothing.
 */
import { readFileSync } from 'node:fs';

export type Break =
  /** Remove the allow rules of one writable volume: writing there must now fail. */
  | 'drop-volume-allow'
  /** Remove the deny rules on the app tree and allow writing it: the write probes must now succeed. */
  | 'allow-app-writes';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Insert rules just before the closing brace of the (last) profile block. */
function addRules(text: string, rules: string[]): string {
  const end = text.lastIndexOf('}');
  if (end < 0) throw new Error('profile has no closing brace');
  return `${text.slice(0, end)}  # negative control\n${rules.map((r) => `  ${r}\n`).join('')}${text.slice(end)}`;
}

export function breakProfile(file: string, kind: Break, where: { volume: string; appDir: string }): string {
  const original = readFileSync(file, 'utf8');
  const lines = original.split('\n');
  let out: string;
  switch (kind) {
    case 'drop-volume-allow': {
      // Allow rules start with the path (deny/audit rules start with a keyword).
      const rule = new RegExp(`^\\s*${escapeRe(where.volume)}[/{]`);
      out = lines.filter((l) => !rule.test(l)).join('\n');
      break;
    }
    case 'allow-app-writes': {
      const deny = new RegExp(`\\bdeny\\s+${escapeRe(where.appDir)}[/{]`);
      out = addRules(lines.filter((l) => !deny.test(l)).join('\n'), [`${where.appDir}/ rw,`, `${where.appDir}/** rw,`]);
      break;
    }
  }
  if (out === original) {
    throw new Error(`negative control ${kind}: the edit did not change ${file}; did the profile's shape change?`);
  }
  return out;
}
