/**
 * Every generated AppArmor profile compiles with the real apparmor_parser
 * (package `apparmor`, installed by scripts/install-tools.sh):
 *   apparmor_parser -Q -K -o /dev/null FILE
 * -Q skips loading into the kernel (the test machines have no AppArmor LSM),
 * -K skips the cache. The parser always warns on stderr here ("Cache
 * read/write disabled"), so only the exit code counts.
 *
 * Negative controls prove the check can fail: the same profile with one
 * mutation (a missing comma, an unknown keyword, a missing abstraction,
 * conflicting exec modes) must be rejected.
 *
 * `apparmor_parser -p` expands every include, so the complete policy, Debian's
 * abstractions included, is checked for what must never be granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfig } from '../../src/config/defaults.js';
import { deriveFacts } from '../../src/config/facts.js';
import { EGRESS, type Config } from '../../src/config/schema.js';
import { configMatrix } from '../lib/matrix.js';
import { renderApparmor } from '../../src/render/apparmor.js';

const PARSER = 'apparmor_parser';

async function parserAvailable(): Promise<boolean> {
  const r = await execa(PARSER, ['--version'], { reject: false });
  return r.exitCode === 0;
}
const available = await parserAvailable();
// In CI a missing tool is a failure, not a skip.
const skip = !available && !process.env.CI;

/** frameworks × servers × egress × volumes × capabilities, plus a custom command. */
function matrix(): Config[] {
  const out = configMatrix([[], [{ path: '/data', purpose: 'uploads' }, { path: '/var/lib/app/cache', purpose: 'cache' }]]);
  out.push(
    exampleConfig({
      name: 'custom-command',
      framework: 'custom',
      command: ['/usr/local/bin/hypercorn', '--bind', '0.0.0.0:8000', 'app:app'],
    }),
  );
  return out;
}

function profileText(c: Config): string {
  const files = renderApparmor(c, deriveFacts(c));
  expect(files).toHaveLength(1);
  return files[0]!.content;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyconfine-apparmor-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function write(text: string): string {
  const file = join(dir, `profile-${counter++}`);
  writeFileSync(file, text);
  return file;
}

async function compile(text: string) {
  const file = write(text);
  const r = await execa(PARSER, ['-Q', '-K', '-o', '/dev/null', file], { reject: false });
  return { file, exitCode: r.exitCode, stderr: r.stderr };
}

async function expand(text: string): Promise<string> {
  const r = await execa(PARSER, ['-p', write(text)], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

/** Runs FN over ITEMS with at most LIMIT in flight (2-core CI machines). */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe.skipIf(skip)('apparmor_parser accepts the generated profiles', () => {
  it('apparmor_parser is installed (run scripts/install-tools.sh)', () => {
    expect(available, 'apparmor_parser not found; CI must install the apparmor package').toBe(true);
  });

  it('compiles the profile of every framework × server × egress × volumes × capability configuration', async () => {
    const configs = matrix();
    expect(configs.length).toBeGreaterThanOrEqual(97);
    const texts = [...new Set(configs.map(profileText))];
    const results = await pool(texts, 4, compile);
    const failures = results.filter((r) => r.exitCode !== 0).map((r) => `${r.file}: exit ${r.exitCode}\n${r.stderr}`);
    expect(failures).toEqual([]);
    expect(results.length).toBe(texts.length);
  });

  describe('negative controls: one mutation, then a rejection', () => {
    const base = exampleConfig({ volumes: [{ path: '/data', purpose: 'uploads' }], egress: 'dns-tcp' });

    const MUTATIONS: Record<string, (text: string) => string> = {
      'a rule without its trailing comma': (t) => t.replace('  /etc/passwd r,\n', '  /etc/passwd r\n'),
      'an unknown rule keyword': (t) => t.replace('  deny mount,\n', '  deny mount,\n  frobnicate /data,\n'),
      'a missing abstraction': (t) =>
        t.replace('  include <abstractions/python>\n', '  include <abstractions/pyconfine-no-such-abstraction>\n'),
      'conflicting exec modes on the venv scripts': (t) =>
        t.replace(/(\n {2}\/opt\/venv\/bin\/\* ix,\n)/, '$1  /opt/venv/bin/* ux,\n'),
      'an unknown capability': (t) => t.replace('  deny capability,\n', '  capability pyconfine_everything,\n'),
      'an unclosed profile': (t) => t.replace(/\}\n$/, '\n'),
    };

    it('the unmutated profile compiles (the baseline of every control)', async () => {
      const r = await compile(profileText(base));
      expect(r.exitCode, r.stderr).toBe(0);
    });

    for (const [name, mutate] of Object.entries(MUTATIONS)) {
      it(`rejects ${name}`, async () => {
        const original = profileText(base);
        const mutated = mutate(original);
        expect(mutated, 'the mutation must change the profile').not.toBe(original);
        const r = await compile(mutated);
        expect(r.exitCode, `accepted a profile with ${name}`).not.toBe(0);
      });
    }
  });

  describe('the fully expanded policy (abstractions included)', () => {
    it('grants UDP and netlink only with egress, and never raw IP or packet sockets', async () => {
      for (const egress of EGRESS) {
        const text = await expand(profileText(exampleConfig({ egress })));
        const rules = text
          .split('\n')
          .map((l) => l.replace(/#.*$/, '').trim().replace(/\s+/g, ' '))
          .filter((l) => /^(audit )?(deny )?network\b/.test(l));
        const allows = rules.filter((l) => !/\bdeny\b/.test(l));
        expect(allows).toContain('network inet stream,');
        const udp = allows.some((l) => /^network inet6? dgram,$/.test(l));
        const netlink = allows.some((l) => /^network netlink raw,$/.test(l));
        expect(udp, `UDP with egress ${egress}`).toBe(egress === 'dns-tcp');
        expect(netlink, `netlink with egress ${egress}`).toBe(egress === 'dns-tcp');
        for (const l of allows) expect(l).not.toMatch(/^network,$|^network (inet6? )?raw,$|packet/);
      }
    });

    it('lets no abstraction add a capability, a mount or ptrace-trace permission', async () => {
      // nameservice pulls in abstractions/nis, which allows net_bind_service:
      // the profile's own deny rules must cancel it unless it was asked for.
      for (const capAdd of [[], ['NET_BIND_SERVICE']] as Config['capAdd'][]) {
        const text = await expand(profileText(exampleConfig({ egress: 'dns-tcp', capAdd, port: 80 })));
        const lines = text.split('\n').map((l) => l.replace(/#.*$/, '').trim().replace(/\s+/g, ' '));
        const allowed = new Set(
          lines.filter((l) => /^capability \w+,$/.test(l)).map((l) => l.replace(/^capability (\w+),$/, '$1')),
        );
        expect(lines).not.toContain('capability,');
        if (capAdd.length === 0) {
          expect(lines).toContain('deny capability,');
        } else {
          expect([...allowed]).toEqual(['net_bind_service']);
          expect(lines).not.toContain('deny capability,');
          expect(lines).not.toContain('deny capability net_bind_service,');
          for (const cap of allowed) expect(capAdd.map((x) => x.toLowerCase())).toContain(cap);
        }
        expect(lines.filter((l) => /^(mount|remount|umount|pivot_root)\b/.test(l))).toEqual([]);
        expect(lines.filter((l) => /^ptrace\b.*\btrace\b/.test(l) && !/tracedby/.test(l))).toEqual([]);
      }
    });
  });
});

if (skip) {
  describe('apparmor_parser missing', () => {
    it.skip('apparmor_parser not installed (apt-get install apparmor, or scripts/install-tools.sh); with CI set this fails instead', () => {});
  });
}
