/**
 * The wizard driven for real: tmux runs the built CLI in a terminal, we type
 * with send-keys and read the screen with capture-pane.
 */
import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import { execa, execaSync } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve('bin/pyconfine.js');
const hasTmux = execaSync('sh', ['-c', 'command -v tmux'], { reject: false }).exitCode === 0;
const sessions: string[] = [];

async function tmux(...args: string[]): Promise<string> {
  return (await execa('tmux', args)).stdout;
}

async function screen(session: string): Promise<string> {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitFor(session: string, text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = await screen(session);
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${String(text)}; screen was:\n${last}`);
}

async function start(dir: string, args: string): Promise<string> {
  const session = `pyconfine-${process.pid}-${sessions.length}`;
  sessions.push(session);
  const cmd = `cd ${dir} && env -u CI node ${BIN} init ${args}; echo "EXIT=$?"; sleep 60`;
  await tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', cmd);
  return session;
}

const keys = (session: string, ...k: string[]) => tmux('send-keys', '-t', session, ...k);

beforeAll(() => {
  if (process.env['CI']) expect(hasTmux, 'tmux must be installed in CI (.ci/run installs it)').toBe(true);
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await execa('tmux', ['kill-session', '-t', s], { reject: false });
});

describe.skipIf(!hasTmux)('wizard under tmux (skipped only where tmux is not installed)', () => {
  it('answers every question with key presses and writes the files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyconfine-wizard-'));
    const s = await start(dir, '');
    await waitFor(s, 'Service name');
    await keys(s, 'orders-api', 'Enter');
    await waitFor(s, /◆\s+Framework/);
    await keys(s, 'Down', 'Down', 'Up', 'Enter'); // flask (initial) → fastapi → custom → fastapi
    await waitFor(s, /◆\s+App server/);
    await keys(s, 'Enter'); // uvicorn, the FastAPI default
    await waitFor(s, /◆\s+Python version/);
    await keys(s, 'Up', 'Enter'); // 3.13
    await waitFor(s, /◆\s+Dependency manager/);
    await keys(s, 'Enter');
    await waitFor(s, /◆\s+Container port/);
    await keys(s, '80', 'Enter');
    await waitFor(s, 'is privileged for a non-root user');
    await keys(s, 'BSpace', 'BSpace', '8080', 'Enter');
    await waitFor(s, /◆\s+Writable volumes/);
    await keys(s, '/app/x', 'Enter');
    await waitFor(s, 'overlaps the app tree');
    for (let i = 0; i < 6; i++) await keys(s, 'BSpace');
    await keys(s, '/srv/uploads:uploads', 'Enter');
    await waitFor(s, /◆\s+Outbound network/);
    await keys(s, 'Down', 'Enter');
    const seccomp = await waitFor(s, /◆\s+Seccomp profile/);
    expect(seccomp).toContain('only with the flag --seccomp none');
    await keys(s, 'Down', 'Enter'); // baseline
    const apparmor = await waitFor(s, /◆\s+AppArmor profile/);
    expect(apparmor).toContain('only with the flag --apparmor off');
    await keys(s, 'Down', 'Enter'); // "off" is disabled: the cursor cannot land on it
    await waitFor(s, /◆\s+CI provider/);
    await keys(s, 'Enter');
    const plan = await waitFor(s, 'Write these files?');
    expect(plan).toContain('orders-api (FastAPI, uvicorn, Python 3.13, pip)');
    expect(plan).toContain('/srv/uploads, /tmp');
    await keys(s, 'Enter');
    const done = await waitFor(s, 'EXIT=');
    expect(done).toContain('EXIT=0');
    const df = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(df).toContain('FROM python:3.13-slim AS builder');
    expect(df).toContain('EXPOSE 8080');
    expect(df).toContain('install -d -o 10001 -g 10001 -m 0750 /srv/uploads');
    const recorded = JSON.parse(readFileSync(path.join(dir, '.pyconfine.json'), 'utf8')).config;
    expect(recorded.egress).toBe('dns-tcp');
    expect(recorded.seccomp).toBe('baseline');
    expect(recorded.apparmor).toBe('on');
    expect(existsSync(path.join(dir, 'main.py'))).toBe(true);
  });

  it('Ctrl-C at a prompt cancels, writes nothing and exits 130', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyconfine-wizard-'));
    const s = await start(dir, '--framework flask');
    await waitFor(s, 'Service name');
    await keys(s, 'C-c');
    const out = await waitFor(s, 'EXIT=');
    expect(out).toContain('EXIT=130');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('asks only for what flags left open', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyconfine-wizard-'));
    const s = await start(dir, '--name api --framework django --python 3.11 --deps pip --server gunicorn --port 8000 --volume /data --egress none --seccomp strict --apparmor on --ci gitlab');
    const screenText = await waitFor(s, 'Write these files?');
    expect(screenText).not.toMatch(/Service name|Framework|Python version|Container port/);
    await keys(s, 'Enter');
    expect(await waitFor(s, 'EXIT=')).toContain('EXIT=0');
    expect(existsSync(path.join(dir, 'manage.py'))).toBe(true);
  });
});
