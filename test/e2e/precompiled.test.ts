/**
 * The built CLI renders through the templates precompiled at build time
 * (dist/templates.cjs); the sources render through ejs.compile. Both must
 * give the same bytes for every file.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderAll } from '../../src/render/index.js';
import type { Config } from '../../src/config/schema.js';

const BIN = path.resolve('bin/pyconfine.js');

describe('precompiled templates', () => {
  it.each([
    ['django', ['--framework', 'django', '--volume', '/data:uploads', '--egress', 'dns-tcp', '--egress-check', 'db.internal:5432']],
    ['flask-uvicorn', ['--framework', 'flask', '--server', 'uvicorn', '--deps', 'poetry', '--ci', 'gitlab']],
    ['fastapi', ['--framework', 'fastapi', '--port', '80', '--cap-add', 'NET_BIND_SERVICE', '--spo', '--k8s-version', '1.28']],
  ])('%s: the built CLI writes exactly what the sources render', async (_label, args) => {
    expect(existsSync('dist/templates.cjs'), 'npm run build writes dist/templates.cjs').toBe(true);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pyconfine-pre-')), 'svc');
    const res = await execa('node', [BIN, 'init', '--yes', '--dir', dir, ...args], { reject: false, env: { CI: 'true' } });
    expect(res.exitCode, res.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(dir, '.pyconfine.json'), 'utf8')).config as Config;
    const files = renderAll(config, { scaffold: true });
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(path.join(dir, f.path), 'utf8'), f.path).toBe(f.content);
  });
});
