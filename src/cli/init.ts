/**
 * `pyconfine init`: answers → Config → rendered files → plan → write.
 * Effects (output streams, interactivity, the wizard, the file system) come in
 * through `InitContext`, so tests can replace each one.
 */
import { stat, access, mkdir, constants } from 'node:fs/promises';
import * as nodeFs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { resolveConfig, mergeLayers, type Layer } from '../config/resolve.js';
import { loadPreset, loadRecord, resolvePreset } from '../config/load.js';
import { findTemplatesDir } from '../render/ejs.js';
import { detectRepo } from '../detect/index.js';
import { renderAll } from '../render/index.js';
import { planFiles, type PlanEntry } from '../plan/plan.js';
import { applyPlan, conflictsOf } from '../plan/write.js';
import type { PlanFs } from '../plan/paths.js';
import type { Config } from '../config/schema.js';
import { flagFor, parseInitArgs, type ParsedInit } from './flags.js';
import { formatPlan, formatDiffs, nextSteps } from './output.js';

export interface Wizard {
  /** Ask for every answer in `ask` that is not in `known`; returns the new answers. */
  ask(known: Record<string, unknown>, defaults: { dirName: string }): Promise<Record<string, unknown>>;
  summary(config: Config, plan: readonly PlanEntry[]): Promise<boolean>;
  confirmOverwrite(paths: readonly string[]): Promise<ReadonlySet<string>>;
  writing<T>(work: () => Promise<T>): Promise<T>;
  done(message: string): void;
  warn(message: string): void;
}

export interface InitContext {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly interactive: boolean;
  readonly wizard: () => Promise<Wizard>;
  readonly fs: PlanFs;
}

/**
 * The real file system behind the PlanFs interface, using the synchronous
 * calls: for a few dozen small files they avoid a thread-pool round trip per
 * operation, which otherwise dominates a run.
 */
export function syncBackedFs(): PlanFs {
  const f = nodeFs;
  return {
    readFile: async (p, enc) => f.readFileSync(p, enc),
    writeFile: async (p, data, opts) => f.writeFileSync(p, data, opts),
    rename: async (a, b) => f.renameSync(a, b),
    mkdir: async (p, opts) => f.mkdirSync(p, opts),
    lstat: async (p) => f.lstatSync(p),
    stat: async (p) => f.statSync(p),
    realpath: async (p) => f.realpathSync(p),
    chmod: async (p, mode) => f.chmodSync(p, mode),
    unlink: async (p) => f.unlinkSync(p),
    access: async (p, mode) => f.accessSync(p, mode),
  };
}

export function defaultInitContext(): InitContext {
  return {
    cwd: process.cwd(),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env['CI']),
    wizard: async () => (await import('./wizard.js')).createWizard(),
    fs: syncBackedFs(),
  };
}

async function checkTargetDir(dir: string, dryRun: boolean): Promise<void> {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (dryRun) return;
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new UserError(`cannot create target folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, 'pass --dir with a folder you can write', { cause: e });
    }
    return;
  }
  if (!st.isDirectory()) throw new UserError(`target ${dir} is a file, not a folder`, 'pass --dir with a folder (it is created if missing)');
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    if (!dryRun) throw new UserError(`target folder ${dir} is not writable`, 'pass --dir with a folder you can write, or fix its permissions', { cause: e });
  }
}

function warnings(c: Config): string[] {
  const w: string[] = [];
  if (c.seccomp === 'none') w.push('seccomp is none: the container runs without a syscall filter; use --seccomp strict (or baseline for unknown native extensions)');
  if (c.apparmor === 'off') w.push('AppArmor is off: no file, network or capability confinement at the LSM level; use --apparmor on');
  if (c.seccomp === 'strict' && /alpine/i.test(c.baseImage.ref)) {
    w.push(`the strict seccomp profile is measured against glibc images; ${c.baseImage.ref} uses musl, so use --seccomp baseline or a Debian-based image`);
  }
  if (c.capAdd.includes('NET_BIND_SERVICE')) w.push(`NET_BIND_SERVICE is added back for port ${c.port}; a port above 1023 published as ${c.port} needs no capability`);
  return w;
}

export async function runInit(argv: readonly string[], ctx: InitContext): Promise<number> {
  // 1. Flags.
  const args: ParsedInit = parseInitArgs(argv);
  if (args.help) {
    ctx.out((await import('./help.js')).initHelp());
    return 0;
  }
  const dir = path.resolve(ctx.cwd, args.dir ?? '.');
  await checkTargetDir(dir, args.dryRun);

  // 2. Answer layers: preset < detected < recorded < flags.
  const layers: Layer[] = [];
  if (args.preset) {
    const file = resolvePreset(args.preset, ctx.cwd, path.join(path.dirname(findTemplatesDir()), 'presets'));
    layers.push({ source: 'preset', answers: await loadPreset(file) });
  }
  const repo = await detectRepo(dir);
  layers.push({ source: 'detected', answers: repo.answers });
  const record = await loadRecord(dir);
  if (record) layers.push({ source: 'recorded', answers: record.answers });
  layers.push({ source: 'flags', answers: args.answers });

  // 3. Prompts, only on a terminal, only without --yes, only for what is missing.
  const useWizard = ctx.interactive && !args.yes && !args.json;
  let wizard: Wizard | undefined;
  if (useWizard) {
    wizard = await ctx.wizard();
    const known = mergeLayers(layers);
    const answers = await wizard.ask(known, { dirName: path.basename(dir) });
    layers.push({ source: 'prompts', answers });
  }

  // 4. One validated Config.
  const config = resolveConfig({ layers, yes: args.yes || useWizard, dirName: path.basename(dir), flagFor });
  for (const w of warnings(config)) {
    if (wizard) wizard.warn(w);
    else ctx.err(`pyconfine: warning: ${w}\n`);
  }

  // 5. Render (pure) and plan against the disk.
  const files = renderAll(config, { scaffold: !repo.hasPythonApp });
  const plan = await planFiles(ctx.fs, dir, files, record?.hashes ?? {});

  // 6. Dry run: show, write nothing.
  if (args.dryRun) {
    if (args.json) ctx.out(JSON.stringify(jsonResult(dir, plan, true), null, 2) + '\n');
    else ctx.out(formatPlan(plan, dir, true) + (await formatDiffs(plan)));
    return 0;
  }

  // 7. Conflicts: --force, an interactive yes per file, or refuse.
  let overwrite: ReadonlySet<string> | 'all' = args.force ? 'all' : new Set();
  const conflicts = conflictsOf(plan);
  if (wizard) {
    if (!(await wizard.summary(config, plan))) throw new UserError('cancelled', 'nothing was written', { exitCode: 1 });
    if (conflicts.length > 0 && !args.force) overwrite = await wizard.confirmOverwrite(conflicts.map((c) => c.path));
  }

  // 8. Write.
  const write = (): Promise<PlanEntry[]> => applyPlan(ctx.fs, plan, { overwrite });
  if (wizard) await wizard.writing(write);
  else await write();

  if (args.json) ctx.out(JSON.stringify(jsonResult(dir, plan, false), null, 2) + '\n');
  else if (wizard) wizard.done(nextSteps(config, dir, ctx.cwd));
  else ctx.out(formatPlan(plan, dir, false) + '\n' + nextSteps(config, dir, ctx.cwd));
  return 0;
}

export function jsonResult(dir: string, plan: readonly PlanEntry[], dryRun: boolean) {
  return {
    dir,
    dryRun,
    files: plan.map((e) => ({ path: e.path, action: e.action })),
  };
}
