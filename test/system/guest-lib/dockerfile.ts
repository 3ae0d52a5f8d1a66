/**
 * Reads what the AppArmor guest needs out of a generated Dockerfile, so the
 * guest runs the app exactly as the image would: the runtime stage's CMD
 * (exec form), ENV and WORKDIR, the HEALTHCHECK URL, and the builder-stage RUN
 * steps that prepare the copied app tree (bytecode, collectstatic).
 */

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string;
  readonly instructions: readonly Instruction[];
}

/** Split into stages of instructions; continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    // Comment lines are removed before continuation handling, as Docker does.
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());

  const stages: { name: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/s.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const as = /\s+AS\s+(\S+)\s*$/i.exec(args);
      stages.push({ name: as ? as[1]! : String(stages.length), instructions: [] });
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

function finalStage(stages: readonly Stage[]): Stage {
  const stage = stages[stages.length - 1];
  if (!stage) throw new Error('Dockerfile: no stage');
  return stage;
}

function execForm(args: string, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Error(`Dockerfile: ${what} is not in exec form (a JSON array): ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((w): w is string => typeof w === 'string')) {
    throw new Error(`Dockerfile: ${what} is not a JSON array of strings: ${args}`);
  }
  return parsed;
}

/** The runtime stage's CMD (the last one), which must be exec form. */
export function runtimeCommand(stages: readonly Stage[]): string[] {
  const cmds = finalStage(stages).instructions.filter((i) => i.keyword === 'CMD');
  const cmd = cmds[cmds.length - 1];
  if (!cmd) throw new Error('Dockerfile: the runtime stage has no CMD');
  const entry = finalStage(stages).instructions.find((i) => i.keyword === 'ENTRYPOINT');
  if (entry) throw new Error('Dockerfile: ENTRYPOINT is not supported by the AppArmor guest');
  return execForm(cmd.args, 'CMD');
}

/** `KEY="v" KEY2=bare` (or the legacy `KEY value`) → pairs; Docker's quoting undone. */
export function parseEnvArgs(args: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const m = /^(\S+)\s+(.*)$/s.exec(args);
    if (!m) throw new Error(`Dockerfile: cannot read ENV ${args}`);
    return [[m[1]!, m[2]!]];
  }
  const pairs: [string, string][] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)=("((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s\\"']|\\.)*))/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(args)) !== null) {
    const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4] !== undefined ? m[4] : m[5]!.replace(/\\(.)/g, '$1');
    pairs.push([m[1]!, value]);
    end = re.lastIndex;
  }
  if (args.slice(end).trim()) throw new Error(`Dockerfile: cannot read ENV ${args}`);
  return pairs;
}

function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions) {
    if (i.keyword === 'ENV') for (const [k, v] of parseEnvArgs(i.args)) env[k] = v;
  }
  return env;
}

/** ENV of the runtime stage, in effect when CMD runs. */
export function runtimeEnv(stages: readonly Stage[]): Record<string, string> {
  return stageEnv(finalStage(stages));
}

/** The runtime stage's last WORKDIR (the server's cwd). */
export function runtimeWorkdir(stages: readonly Stage[]): string {
  const dirs = finalStage(stages).instructions.filter((i) => i.keyword === 'WORKDIR');
  const dir = dirs[dirs.length - 1];
  if (!dir) throw new Error('Dockerfile: the runtime stage has no WORKDIR');
  return dir.args;
}

/** The runtime stage's HEALTHCHECK command (exec form). */
export function healthcheckArgv(stages: readonly Stage[]): string[] {
  const hc = finalStage(stages).instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (!hc) throw new Error('Dockerfile: the runtime stage has no HEALTHCHECK');
  const m = /(?:^|\s)CMD\s+(\[.*\])\s*$/s.exec(hc.args);
  if (!m) throw new Error(`Dockerfile: HEALTHCHECK is not in exec form: ${hc.args}`);
  return execForm(m[1]!, 'HEALTHCHECK');
}

/** The URL the HEALTHCHECK probes: the last word of its command. */
export function healthcheckUrl(stages: readonly Stage[]): string {
  const argv = healthcheckArgv(stages);
  const url = argv[argv.length - 1] ?? '';
  if (!/^https?:\/\//.test(url)) throw new Error(`Dockerfile: HEALTHCHECK names no URL: ${JSON.stringify(argv)}`);
  return url;
}

export interface BuildSteps {
  /** Shell commands, run with /bin/sh -c in the app directory. */
  readonly steps: string[];
  /** The builder stage's ENV. */
  readonly env: Record<string, string>;
}

/**
 * RUN steps of the stage that copies the app tree (`COPY . …`), after that
 * COPY: what turns the source tree into the image's /app (dependency installs
 * come before it and are provided by the guest's rootfs). BuildKit flags such
 * as `--mount=…` are dropped.
 */
export function appBuildSteps(stages: readonly Stage[]): BuildSteps {
  for (const stage of stages) {
    const idx = stage.instructions.findIndex((i) => i.keyword === 'COPY' && /^(--\S+\s+)*\.\s+\S+$/.test(i.args));
    if (idx < 0) continue;
    const steps = stage.instructions
      .slice(idx + 1)
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args.replace(/^(--\S+\s+)+/, '').trim());
    return { steps, env: stageEnv(stage) };
  }
  return { steps: [], env: {} };
}
