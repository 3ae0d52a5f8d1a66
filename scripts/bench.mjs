// npm run bench: prints medians (ratios, not pass/fail; these machines are noisy).
//  - wall time of `pyconfine init --yes` rendering every artifact into a fresh temp dir
//  - that time divided by `node -e 0`, measured in the same run, interleaved
//  - peak RSS of the init process
//  - the packed tarball installed into a temp prefix: package count and size
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readdirSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = path.resolve(new URL('..', import.meta.url).pathname);
const bin = path.join(root, 'bin/pyconfine.js');
const probe = path.join(root, 'scripts/bench-rss.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'pyconfine-bench-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

const initArgs = (dir) => [bin, 'init', '--yes', '--framework', 'flask', '--volume', '/data:uploads', '--dir', dir];
// Warm the file cache once.
time('node', initArgs(path.join(work, 'warm')));
const initMs = [];
const nodeMs = [];
for (let i = 0; i < RUNS; i++) {
  nodeMs.push(time('node', ['-e', '0']));
  initMs.push(time('node', initArgs(path.join(work, `run-${i}`))));
}
const files = readdirSync(path.join(work, 'run-0'), { recursive: true }).length;

const rss = [];
for (let i = 0; i < Math.min(RUNS, 10); i++) {
  const r = spawnSync('node', [probe, ...initArgs(path.join(work, `rss-${i}`)).slice(1)], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const m = /PEAK_RSS_KB=(\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no RSS reading: ${r.stderr}`);
  rss.push(Number(m[1]) / 1024);
}

// Pack, install into a temp prefix, count what arrives.
const packDir = path.join(work, 'pack');
mkdirSync(packDir);
execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
const prefix = path.join(work, 'prefix');
execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', path.join(packDir, tarball)], { stdio: ['ignore', 'ignore', 'inherit'] });
const nm = path.join(prefix, 'node_modules');
const packages = readdirSync(nm).filter((n) => !n.startsWith('.')).flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(nm, n)).map((s) => `${n}/${s}`) : [n]));
const du = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, n) => s + du(path.join(p, n)), 0) : statSync(p).size);
const installedBytes = du(path.join(nm, 'pyconfine'));
const smoke = existsSync(path.join(nm, '.bin', 'pyconfine'));

const fmt = (x) => x.toFixed(1);
console.log(`pyconfine bench (${RUNS} runs, medians)`);
console.log(`  init --yes, full render (${files} paths):  ${fmt(median(initMs))} ms`);
console.log(`  node -e 0:                               ${fmt(median(nodeMs))} ms`);
console.log(`  ratio init / node -e 0:                  ${(median(initMs) / median(nodeMs)).toFixed(2)}x   (target <= 1.30x)`);
console.log(`  peak RSS of init:                        ${fmt(median(rss))} MB   (target <= 60 MB)`);
console.log(`  installed packages from the tarball:     ${packages.length} (${packages.join(', ')})   (target 1)`);
console.log(`  installed size:                          ${(installedBytes / 1024 / 1024).toFixed(2)} MB   (target <= 2 MB)`);
console.log(`  bin linked:                              ${smoke ? 'yes' : 'NO'}`);
rmSync(work, { recursive: true, force: true });
