// Prints how many syscalls the generated seccomp profiles allow, per framework × server × egress
// and architecture, for the strict and baseline levels, next to Moby's default (361 allowed
// unconditionally). Counts are read back from the rendered JSON files themselves, so they are the
// numbers the runtime sees. Exits 1 when a strict x86_64 profile exceeds the target.
//
// Usage: npm run profile-stats   (builds dist/ first; needs renderAll, deriveFacts, exampleConfig)
import { deriveFacts, exampleConfig, renderAll } from '../dist/index.js';

const MOBY_DEFAULT_ALLOWED = 361;
const STRICT_TARGET = 130;
const FRAMEWORKS = ['django', 'flask', 'fastapi', 'custom'];
const SERVERS = ['gunicorn', 'uvicorn', 'gunicorn-uvicorn'];
const EGRESS = ['none', 'dns-tcp'];
const LEVELS = ['strict', 'baseline'];
/** Docker platform arch → the name used in the table. */
const ARCHES = [
  ['amd64', 'x86_64'],
  ['arm64', 'aarch64'],
];

/** A Config for one combination; `custom` gets an explicit command for the same server. */
function configFor(framework, server, egress, seccomp) {
  const overrides = { framework, server, egress, seccomp, arches: ARCHES.map(([a]) => a) };
  if (framework === 'fastapi') overrides.appModule = 'app.main:app';
  if (framework === 'django') overrides.appModule = 'config.wsgi:application';
  if (framework === 'custom') overrides.command = ['python', '-m', 'myservice'];
  return exampleConfig(overrides);
}

/** The rendered profile of a Config, parsed back from the file renderAll produces. */
function renderedProfile(config) {
  const path = deriveFacts(config).seccompFile;
  const file = renderAll(config).find((f) => f.path === path);
  if (!file) throw new Error(`no seccomp profile rendered at ${path}`);
  return JSON.parse(file.content);
}

/** Distinct names an architecture's host allows (rules without `includes` or naming that arch). */
function allowedCount(profile, arch) {
  const names = new Set();
  for (const rule of profile.syscalls) {
    if (rule.action !== 'SCMP_ACT_ALLOW') continue;
    if (rule.includes?.arches && !rule.includes.arches.includes(arch)) continue;
    for (const name of rule.names) names.add(name);
  }
  return names.size;
}

function pad(value, width) {
  return String(value).padEnd(width);
}

const header = ['framework', 'server', 'egress'];
for (const level of LEVELS) for (const [, label] of ARCHES) header.push(`${level} ${label}`);
const widths = [10, 17, 8, ...header.slice(3).map((h) => h.length + 2)];

console.log(`seccomp allowlist sizes (Moby's default profile allows ${MOBY_DEFAULT_ALLOWED} syscalls unconditionally)`);
console.log(header.map((h, i) => pad(h, widths[i])).join('').trimEnd());

let worst = 0;
for (const framework of FRAMEWORKS) {
  for (const server of SERVERS) {
    for (const egress of EGRESS) {
      const row = [framework, server, egress];
      for (const level of LEVELS) {
        const profile = renderedProfile(configFor(framework, server, egress, level));
        for (const [arch] of ARCHES) {
          const count = allowedCount(profile, arch);
          if (level === 'strict' && arch === 'amd64') worst = Math.max(worst, count);
          row.push(count);
        }
      }
      console.log(row.map((v, i) => pad(v, widths[i])).join('').trimEnd());
    }
  }
}

console.log(`largest strict x86_64 profile: ${worst} (target ≤ ${STRICT_TARGET}; Moby default ${MOBY_DEFAULT_ALLOWED})`);
if (worst > STRICT_TARGET) {
  console.error(`profile-stats: a strict x86_64 profile allows ${worst} syscalls, above the target of ${STRICT_TARGET}`);
  process.exitCode = 1;
}
