/**
 * The host side of the AppArmor guest (scripts/system/guest/): turn generated
 * projects into guest cases, stage them, boot the guest once, and parse the
 * result lines its driver prints on the serial console.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { STOP_TIMEOUT } from '../../../src/config/facts.js';
import { copyContext } from './context.js';
import {
  appBuildSteps,
  healthcheckArgv,
  healthcheckUrl,
  parseDockerfile,
  runtimeCommand,
  runtimeEnv,
  runtimeWorkdir,
} from './dockerfile.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GUEST_DIR = path.join(REPO, 'scripts/system/guest');

/** One case as driver.py reads it from cases.json. */
export interface GuestCase {
  readonly id: string;
  readonly profileName: string;
  /** Stage-relative paths. */
  readonly profileFile: string;
  readonly appSource: string;
  readonly appDir: string;
  readonly workdir: string;
  readonly writable: readonly string[];
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly healthUrl: string;
  /** The HEALTHCHECK command, run confined like `docker exec` would. */
  readonly healthcheck: readonly string[];
  readonly build: readonly string[];
  readonly buildEnv: Readonly<Record<string, string>>;
  /** Seconds the server may take to exit after SIGTERM (the runtime's stop timeout). */
  readonly stopTimeout: number;
  /** Start the server (health, live relabel, SIGTERM) or only probe. */
  readonly serve: boolean;
  /** Repeat the probes in complain mode. */
  readonly complain: boolean;
}

export interface CaseSource {
  readonly id: string;
  /** A directory written by `pyconfine init`. */
  readonly projectDir: string;
  /** Repo-relative path of the generated profile. */
  readonly profilePath: string;
  /** Paths the app may write: the declared volumes and the tmp dirs. */
  readonly writable: readonly string[];
  /** Replaces the generated profile's text (negative controls). */
  readonly profileText?: string;
  /** Run the Dockerfile's app build steps (default true). */
  readonly build?: boolean;
  readonly serve?: boolean;
  readonly complain?: boolean;
}

/** The name a profile file declares (`profile NAME …{`). */
export function profileNameOf(text: string): string {
  const m = /^\s*profile\s+(\S+)/m.exec(text);
  if (!m) throw new Error('AppArmor profile: no `profile NAME` line');
  return m[1]!;
}

/**
 * Stage one case: the profile, and the build context at `<id>/app` (what
 * `COPY . .` copies). Command, environment, working directory, health URL and
 * build steps all come from the generated Dockerfile.
 */
export function stageCase(stageDir: string, src: CaseSource): GuestCase {
  const dockerfile = parseDockerfile(readFileSync(path.join(src.projectDir, 'Dockerfile'), 'utf8'));
  const profileText = src.profileText ?? readFileSync(path.join(src.projectDir, src.profilePath), 'utf8');
  const caseDir = path.join(stageDir, src.id);
  mkdirSync(caseDir, { recursive: true });
  writeFileSync(path.join(caseDir, 'profile'), profileText);
  copyContext(src.projectDir, path.join(caseDir, 'app'));
  const build = appBuildSteps(dockerfile);
  const workdir = runtimeWorkdir(dockerfile);
  return {
    id: src.id,
    profileName: profileNameOf(profileText),
    profileFile: `${src.id}/profile`,
    appSource: `${src.id}/app`,
    appDir: workdir,
    workdir,
    writable: [...src.writable],
    argv: runtimeCommand(dockerfile),
    env: runtimeEnv(dockerfile),
    healthUrl: healthcheckUrl(dockerfile),
    healthcheck: healthcheckArgv(dockerfile),
    build: src.build === false ? [] : build.steps,
    buildEnv: build.env,
    stopTimeout: STOP_TIMEOUT,
    serve: src.serve ?? true,
    complain: src.complain ?? true,
  };
}

export function writeManifest(stageDir: string, cases: readonly GuestCase[]): void {
  writeFileSync(path.join(stageDir, 'cases.json'), JSON.stringify({ cases }, null, 2) + '\n');
}

/** Runs prepare.sh (idempotent; fast when the cache is warm). */
export async function prepareGuest(): Promise<{ output: string; seconds: number }> {
  const t0 = Date.now();
  const r = await execa('bash', [path.join(GUEST_DIR, 'prepare.sh')], { all: true, reject: false });
  if (r.exitCode !== 0) throw new Error(`scripts/system/guest/prepare.sh failed (${r.exitCode}):\n${r.all}`);
  return { output: r.all ?? '', seconds: (Date.now() - t0) / 1000 };
}

export interface GuestRun {
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly output: string;
  readonly seconds: number;
}

/** Where the last boot's full console is kept for diagnosis. */
export const CONSOLE_LOG = path.join(tmpdir(), 'pyconfine-apparmor-console.log');

export async function bootGuest(stageDir: string, timeoutSeconds = 300): Promise<GuestRun> {
  const t0 = Date.now();
  const r = await execa('bash', [path.join(GUEST_DIR, 'run.sh'), stageDir], {
    all: true,
    reject: false,
    env: { PYCONFINE_GUEST_TIMEOUT: String(timeoutSeconds) },
    // run.sh enforces the timeout itself; this is only a backstop.
    timeout: (timeoutSeconds + 60) * 1000,
  });
  writeFileSync(CONSOLE_LOG, r.all ?? '');
  return {
    exitCode: r.exitCode,
    timedOut: r.timedOut || r.exitCode === 124,
    output: r.all ?? '',
    seconds: (Date.now() - t0) / 1000,
  };
}

export interface CheckResult {
  readonly pass: boolean;
  readonly detail: string;
}

export interface CaseReport {
  readonly results: Map<string, CheckResult>;
  readonly dmesg: string[];
  readonly applog: string[];
  ended: boolean;
  seconds: number | null;
}

export interface GuestReport {
  readonly started: boolean;
  readonly done: boolean;
  readonly cases: Map<string, CaseReport>;
  /** Checks reported twice for one case (a driver bug). */
  readonly duplicates: string[];
}

/** Parse the console: RESULT/DMESG/APPLOG/CASE-* lines, GUEST-START/GUEST-DONE. */
export function parseGuestOutput(output: string): GuestReport {
  const cases = new Map<string, CaseReport>();
  const duplicates: string[] = [];
  const get = (id: string): CaseReport => {
    let c = cases.get(id);
    if (!c) {
      c = { results: new Map(), dmesg: [], applog: [], ended: false, seconds: null };
      cases.set(id, c);
    }
    return c;
  };
  let started = false;
  let done = false;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r/g, '');
    if (line.startsWith('GUEST-START')) started = true;
    else if (line.startsWith('GUEST-DONE')) done = true;
    const m = /^(RESULT|DMESG|APPLOG|CASE-BEGIN|CASE-END) (\S+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const c = get(m[2]!);
    const rest = m[3] ?? '';
    switch (m[1]) {
      case 'RESULT': {
        const r = /^(\S+) (PASS|FAIL)(?: (.*))?$/.exec(rest);
        if (!r) break;
        if (c.results.has(r[1]!)) duplicates.push(`${m[2]} ${r[1]}`);
        c.results.set(r[1]!, { pass: r[2] === 'PASS', detail: r[3] ?? '' });
        break;
      }
      case 'DMESG':
        c.dmesg.push(rest);
        break;
      case 'APPLOG':
        c.applog.push(rest);
        break;
      case 'CASE-END':
        c.ended = true;
        c.seconds = Number.parseFloat(rest);
        break;
    }
  }
  return { started, done, cases, duplicates };
}

/** Every check the driver must report for a case (the test fails on a missing one). */
export function expectedChecks(c: GuestCase): string[] {
  const denied = [`create:${c.appDir}`, `modify:${c.appDir}`, ...c.writable.map((w) => `exec:${w}`), 'read:/etc/shadow', 'raw-socket'];
  const checks = ['apparmor-enabled', ...c.build.map((_, i) => `build:${i + 1}`), 'profile-load', 'enforce-mode'];
  if (c.serve) checks.push('serves-health', 'server-confined', 'healthcheck-confined');
  checks.push('enforce:probe-confined', 'control:unconfined');
  for (const w of c.writable) checks.push(`enforce:write:${w}`);
  for (const d of denied) checks.push(`enforce:${d}`, `enforce-log:${d}`);
  if (c.complain) {
    checks.push('complain-load');
    if (c.serve) checks.push('server-relabelled-complain');
    checks.push('complain:probe-confined');
    for (const w of c.writable) checks.push(`complain:write:${w}`);
    for (const d of denied) checks.push(`complain:${d}`, `complain-log:${d}`);
    checks.push('re-enforce');
  }
  if (c.serve) checks.push('serves-health-after-probes', 'stops-on-sigterm');
  checks.push('no-unexpected-records');
  return checks;
}

/** A check × case table of PASS/FAIL ('-' where a case has no such check). */
export function formatTable(report: GuestReport, caseIds: readonly string[], checks: readonly string[]): string {
  const width = Math.max(5, ...checks.map((c) => c.length));
  const cols = caseIds.map((id) => Math.max(id.length, 4));
  const row = (first: string, cells: string[]): string =>
    `${first.padEnd(width)}  ${cells.map((cell, i) => cell.padEnd(cols[i]!)).join('  ')}`.trimEnd();
  const lines = [row('check', [...caseIds]), row('-'.repeat(width), cols.map((w) => '-'.repeat(w)))];
  for (const check of checks) {
    lines.push(
      row(
        check,
        caseIds.map((id) => {
          const r = report.cases.get(id)?.results.get(check);
          return r ? (r.pass ? 'pass' : 'FAIL') : '-';
        }),
      ),
    );
  }
  return lines.join('\n');
}

/** What to show when a case fails: its failing checks, AppArmor records and app output. */
export function failureReport(report: GuestReport, c: GuestCase, failing: readonly string[]): string {
  const r = report.cases.get(c.id);
  const parts = [`${c.id}: ${failing.length} check(s) failed (full console: ${CONSOLE_LOG})`];
  for (const check of failing) {
    const res = r?.results.get(check);
    parts.push(`  ${check}: ${res ? res.detail : 'not reported by the guest'}`);
  }
  const records = (r?.dmesg ?? []).filter((l) => /apparmor="(DENIED|ALLOWED)"/.test(l));
  parts.push(`AppArmor records during ${c.id} (${records.length}):`, ...records.map((l) => `  ${l}`));
  parts.push(`app output (${r?.applog.length ?? 0} lines, last 40):`, ...(r?.applog ?? []).slice(-40).map((l) => `  ${l}`));
  return parts.join('\n');
}
