/**
 * Reads the commands a user would copy from the generated SECURITY-RUNTIME.md
 * and turns the documented `docker run` into the `podman run` the tier uses.
 * The only changes are podman necessities; each one is returned so the test
 * output can state it.
 */

/** Split one POSIX shell command line into words ('…', "…", \x, and `\`-newline). */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\' && line[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      cur += line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i++];
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
      i++;
    } else if (ch === '\\') {
      cur += line[i + 1] ?? '';
      i += 2;
    } else if (';&|<>`$'.includes(ch)) {
      throw new Error(`shell operator ${ch} in a documented command is not supported: ${line}`);
    } else {
      cur += ch;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Every ```sh fenced block of a Markdown document, as text. */
export function shellBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const re = /^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}

/**
 * The first documented command whose words start with `prefix`, with line
 * continuations joined. Throws, naming the prefix, when there is none.
 */
export function documentedCommand(markdown: string, prefix: readonly string[]): string[] {
  for (const block of shellBlocks(markdown)) {
    const logical = block.replace(/\\\n/g, ' ').split('\n');
    for (const line of logical) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      if (!prefix.every((p, i) => line.trim().split(/\s+/)[i] === p)) continue;
      return shellSplit(line);
    }
  }
  throw new Error(`the generated docs contain no \`${prefix.join(' ')}\` command in a sh block`);
}

/** `docker run` flags that take no value. Every other flag takes the next word. */
const BOOLEAN_FLAGS = new Set(['--init', '--read-only', '--rm', '--detach', '-d', '--privileged', '-i', '-t', '--interactive', '--tty']);

export interface RunFlag {
  readonly flag: string;
  /** Value for `--flag value` / `--flag=value`; null for a boolean flag. */
  readonly value: string | null;
  /** Whether the documented command wrote it as one `--flag=value` word. */
  readonly joined: boolean;
}

export interface ParsedRun {
  readonly flags: readonly RunFlag[];
  readonly image: string;
  readonly command: readonly string[];
}

/** Parse `docker run FLAGS IMAGE [CMD…]`. */
export function parseDockerRun(argv: readonly string[]): ParsedRun {
  if (argv[0] !== 'docker' || argv[1] !== 'run') throw new Error(`not a docker run command: ${argv.join(' ')}`);
  const flags: RunFlag[] = [];
  let i = 2;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const word = argv[i++]!;
    const eq = word.indexOf('=');
    if (word.startsWith('--') && eq > 0) {
      flags.push({ flag: word.slice(0, eq), value: word.slice(eq + 1), joined: true });
    } else if (BOOLEAN_FLAGS.has(word)) {
      flags.push({ flag: word, value: null, joined: false });
    } else {
      const value = argv[i++];
      if (value === undefined) throw new Error(`flag ${word} has no value in: ${argv.join(' ')}`);
      flags.push({ flag: word, value, joined: false });
    }
  }
  const image = argv[i++];
  if (!image) throw new Error(`no image in: ${argv.join(' ')}`);
  return { flags, image, command: argv.slice(i) };
}

export interface PodmanRunOptions {
  /** Container name (the documented one is replaced so tests never collide). */
  readonly name: string;
  /** Replace the documented seccomp profile path (negative controls, tightness runs). */
  readonly seccompPath?: string;
  /** Replace every documented `--publish` with this host port (127.0.0.1 only). */
  readonly hostPort?: number;
  /** Extra podman flags for a particular run (stated in the output by the caller). */
  readonly extra?: readonly string[];
}

export interface PodmanRun {
  readonly argv: string[];
  /** What was changed relative to the documented command, one line each. */
  readonly changes: string[];
  readonly parsed: ParsedRun;
}

/**
 * The documented `docker run`, as `podman run`:
 * - `--rm` is dropped so the exit code and logs survive `podman stop`
 *   (afterAll removes the container);
 * - `--name` is replaced by a unique name;
 * - `--security-opt apparmor=…` is removed: this host's kernel has no
 *   AppArmor and podman refuses the option there (exit 125); AppArmor is
 *   proven in the qemu guest instead;
 * - podman necessities are added: `--runtime runc`, `--no-healthcheck` (its
 *   healthcheck timers need systemd; the HEALTHCHECK is run by hand with
 *   `podman healthcheck run`), `--read-only-tmpfs=false` (podman's
 *   `--read-only` otherwise adds writable /run, /tmp and /var/tmp, which
 *   Docker does not), and `-d`.
 */
export function toPodmanRun(documented: readonly string[], opts: PodmanRunOptions): PodmanRun {
  const parsed = parseDockerRun(documented);
  const out: string[] = ['run'];
  const changes: string[] = [];
  for (const f of parsed.flags) {
    if (f.flag === '--rm') {
      changes.push('dropped --rm (keep exit code and logs after stop; removed in afterAll)');
      continue;
    }
    if (f.flag === '--detach' || f.flag === '-d') continue;
    if (f.flag === '--name') continue;
    if (f.flag === '--security-opt' && f.value?.startsWith('apparmor=')) {
      changes.push(`removed --security-opt ${f.value} (no AppArmor in this host kernel; podman refuses it; proven in the qemu guest)`);
      continue;
    }
    let value = f.value;
    if (f.flag === '--security-opt' && value?.startsWith('seccomp=') && opts.seccompPath) {
      value = `seccomp=${opts.seccompPath}`;
      changes.push(`seccomp profile replaced by ${opts.seccompPath}`);
    }
    if ((f.flag === '--publish' || f.flag === '-p') && value && opts.hostPort !== undefined) {
      const ctrPort = value.split(':').pop()!;
      value = `127.0.0.1:${opts.hostPort}:${ctrPort}`;
    }
    if (value === null) out.push(f.flag);
    else if (f.joined) out.push(`${f.flag}=${value}`);
    else out.push(f.flag, value);
  }
  out.push('-d', '--name', opts.name, '--runtime', 'runc', '--no-healthcheck', '--read-only-tmpfs=false');
  changes.push('added -d --name --runtime runc --no-healthcheck --read-only-tmpfs=false (podman necessities)');
  if (opts.extra?.length) {
    out.push(...opts.extra);
    changes.push(`added ${opts.extra.join(' ')}`);
  }
  out.push(parsed.image, ...parsed.command);
  return { argv: out, changes, parsed };
}

/** Values of one flag in a parsed run (e.g. every `--volume`). */
export function flagValues(parsed: ParsedRun, flag: string): string[] {
  return parsed.flags.filter((f) => f.flag === flag && f.value !== null).map((f) => f.value!);
}
