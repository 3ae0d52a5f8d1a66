/** `--help` texts, generated from the flag table so they cannot drift. */
import { ANSWER_FLAGS, BEHAVIOUR_FLAGS, type FlagSpec } from './flags.js';

function rows(specs: readonly FlagSpec[]): string {
  const left = specs.map((f) => `  --${f.flag}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((f, i) => `${left[i]!.padEnd(width)}${f.help}`).join('\n');
}

export function mainHelp(version: string): string {
  return `pyconfine ${version}: least-privilege container setup for Python web services

Usage:
  pyconfine init [options]   write a non-root Dockerfile, seccomp and AppArmor profiles,
                             smoke test, CI workflow, Kubernetes canary and docs
  pyconfine --help           this text
  pyconfine --version        the version

Run \`pyconfine init --help\` for every option.
`;
}

export function initHelp(): string {
  return `Usage: pyconfine init [options]

Asks for what is missing when run in a terminal; with --yes (or without a
terminal) it uses flags, a preset and defaults, and never prompts.

Options:
${rows(BEHAVIOUR_FLAGS)}

Answers:
${rows(ANSWER_FLAGS)}

Exit codes: 0 done, 1 refused (a changed file, or cancelled), 2 bad input,
130 interrupted.

Example:
  pyconfine init --yes --framework flask --name web --volume /data:uploads --dir ./web
`;
}
