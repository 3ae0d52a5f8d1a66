// npm run demo: the main job on a fresh clone — generate a hardened Flask
// service into a new temp folder with the built CLI and show what it wrote.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pyconfine-demo-')), 'web');
const bin = new URL('../bin/pyconfine.js', import.meta.url).pathname;
execFileSync('node', [bin, 'init', '--yes', '--framework', 'flask', '--name', 'web', '--volume', '/data:uploads', '--dir', dir], { stdio: 'inherit' });
console.log(`\n--- ${path.join(dir, 'Dockerfile')}\n`);
console.log(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
console.log(`Generated into ${dir}`);
