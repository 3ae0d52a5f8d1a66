/**
 * The interactive wizard (@clack/prompts). Loaded only on a terminal. Every
 * question has a default, is asked only when flags, a preset or the record
 * left it open, and validates with the same rules as the flags. Ctrl-C at
 * any prompt throws CancelledError: nothing is written, exit 130.
 */
import * as p from '@clack/prompts';
import { CancelledError, UserError } from '../errors.js';
import { DNS1123_LABEL, type Config } from '../config/schema.js';
import { checkVolume, defaultName } from '../config/resolve.js';
import { FRAMEWORK_INFO, SERVER_INFO } from '../knowledge/frameworks.js';
import { deriveFacts } from '../config/facts.js';
import type { PlanEntry } from '../plan/plan.js';
import type { Wizard } from './init.js';

/** The one cancellation path: clack's cancel symbol becomes one thrown error. */
function unwrap<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) {
    p.cancel('Cancelled: nothing was written.');
    throw new CancelledError();
  }
  return value as Exclude<T, symbol>;
}

function volumeError(entry: string): string | undefined {
  for (const item of entry.split(',').map((s) => s.trim()).filter(Boolean)) {
    const idx = item.indexOf(':');
    try {
      checkVolume({ path: idx === -1 ? item : item.slice(0, idx), purpose: idx === -1 ? 'data' : item.slice(idx + 1) });
    } catch (err) {
      return err instanceof UserError ? `${err.message}: ${err.hint}` : String(err);
    }
  }
  return undefined;
}

function portError(value: string | undefined): string | undefined {
  const s = (value ?? '').trim();
  if (!/^[0-9]{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) return 'Enter a whole number from 1 to 65535.';
  if (Number(s) < 1024) return `Port ${s} is privileged for a non-root user: use 8000 here and publish ${s} on the host (or pass --cap-add NET_BIND_SERVICE).`;
  return undefined;
}

export function createWizard(): Wizard {
  return {
    async ask(known, { dirName }) {
      p.intro('pyconfine: least-privilege container setup');
      const answers: Record<string, unknown> = {};
      const has = (k: string): boolean => known[k] !== undefined;

      // 1. The service.
      if (!has('name')) {
        answers['name'] = unwrap(
          await p.text({
            message: 'Service name (DNS-1123 label)',
            defaultValue: defaultName(dirName),
            placeholder: defaultName(dirName),
            validate: (v) => (!v || DNS1123_LABEL.test(v) ? undefined : 'Use lowercase letters, digits and "-", at most 63 characters.'),
          }),
        );
      }
      if (!has('framework')) {
        answers['framework'] = unwrap(
          await p.select({
            message: 'Framework',
            initialValue: 'flask',
            options: (['django', 'flask', 'fastapi', 'custom'] as const).map((f) => ({ value: f, label: FRAMEWORK_INFO[f].label })),
          }),
        );
      }
      const framework = (answers['framework'] ?? known['framework']) as keyof typeof FRAMEWORK_INFO;
      if (framework === 'custom' && !has('command')) {
        answers['command'] = unwrap(
          await p.text({
            message: 'Server command (exec form, plain words)',
            placeholder: 'gunicorn mypkg.wsgi:application --bind 0.0.0.0:8000',
            validate: (v) => (v && /^[A-Za-z0-9_@%+=:,.\/ -]+$/.test(v) ? undefined : 'Plain words only: no quotes or shell characters.'),
          }),
        );
      }
      if (!has('server')) {
        const def = FRAMEWORK_INFO[framework].defaultServer;
        answers['server'] = unwrap(
          await p.select({
            message: 'App server',
            initialValue: def,
            options: (['gunicorn', 'uvicorn', 'gunicorn-uvicorn'] as const).map((s) => ({ value: s, label: SERVER_INFO[s].label })),
          }),
        );
      }
      if (!has('python')) {
        answers['python'] = unwrap(
          await p.select({ message: 'Python version', initialValue: '3.12', options: ['3.13', '3.12', '3.11', '3.10'].map((v) => ({ value: v, label: v })) }),
        );
      }
      if (!has('deps')) {
        answers['deps'] = unwrap(
          await p.select({
            message: 'Dependency manager',
            initialValue: 'pip',
            options: [
              { value: 'pip', label: 'pip (requirements.txt)' },
              { value: 'uv', label: 'uv (pyproject.toml + uv.lock)' },
              { value: 'poetry', label: 'poetry (pyproject.toml + poetry.lock)' },
            ],
          }),
        );
      }

      // 2. What the container may do.
      if (!has('port')) {
        answers['port'] = Number(unwrap(await p.text({ message: 'Container port', defaultValue: '8000', placeholder: '8000', validate: (v) => (v ? portError(v) : undefined) })));
      }
      if (!has('volumes')) {
        const raw = unwrap(
          await p.text({
            message: 'Writable volumes (PATH[:purpose], comma-separated; empty for none)',
            placeholder: '/data:uploads',
            defaultValue: '',
            validate: (v) => (v ? volumeError(v) : undefined),
          }),
        );
        answers['volumes'] = raw.split(',').map((s) => s.trim()).filter(Boolean);
      }
      if (!has('egress')) {
        answers['egress'] = unwrap(
          await p.select({
            message: 'Outbound network',
            initialValue: 'none',
            options: [
              { value: 'none', label: 'none', hint: 'the app only answers requests' },
              { value: 'dns-tcp', label: 'DNS + TCP egress', hint: 'databases, APIs' },
            ],
          }),
        );
      }
      if (!has('seccomp')) {
        answers['seccomp'] = unwrap(
          await p.select({
            message: 'Seccomp profile',
            initialValue: 'strict',
            options: [
              { value: 'strict', label: 'strict', hint: 'only the syscalls Python web servers need' },
              { value: 'baseline', label: 'baseline', hint: "Docker's default minus high-risk calls, for unknown native extensions" },
              { value: 'none', label: 'none', hint: 'only with the flag --seccomp none', disabled: true },
            ],
          }),
        );
      }
      if (!has('apparmor')) {
        answers['apparmor'] = unwrap(
          await p.select({
            message: 'AppArmor profile',
            initialValue: 'on',
            options: [
              { value: 'on', label: 'on', hint: 'read-only code, no exec from volumes, TCP only, no capabilities' },
              { value: 'off', label: 'off', hint: 'only with the flag --apparmor off', disabled: true },
            ],
          }),
        );
      }
      if (!has('ci')) {
        answers['ci'] = unwrap(
          await p.select({ message: 'CI provider', initialValue: 'github', options: [{ value: 'github', label: 'GitHub Actions' }, { value: 'gitlab', label: 'GitLab CI' }] }),
        );
      }
      return answers;
    },

    async summary(config: Config, plan: readonly PlanEntry[]) {
      const f = deriveFacts(config);
      const lines = [
        `service     ${config.name} (${FRAMEWORK_INFO[config.framework].label}, ${config.server}, Python ${config.python}, ${config.deps})`,
        `user        ${config.uid}:${config.gid}, read-only root, all capabilities dropped${f.capAdd.length ? ` except ${f.capAdd.join(', ')}` : ''}`,
        `writable    ${f.writablePaths.join(', ')}`,
        `network     port ${config.port} → 127.0.0.1:${config.publish.join(',')}; egress ${config.egress}`,
        `profiles    seccomp ${config.seccomp}, AppArmor ${config.apparmor}`,
        '',
        ...plan.map((e) => `${e.action.padEnd(9)}  ${e.path}`),
      ];
      p.note(lines.join('\n'), 'Plan');
      return unwrap(await p.confirm({ message: 'Write these files?', initialValue: true }));
    },

    async confirmOverwrite(paths) {
      const yes = new Set<string>();
      for (const path of paths) {
        if (unwrap(await p.confirm({ message: `${path} was changed since pyconfine wrote it. Overwrite?`, initialValue: false }))) yes.add(path);
      }
      return yes;
    },

    async writing(work) {
      const s = p.spinner();
      s.start('Writing files');
      try {
        const result = await work();
        s.stop('Files written');
        return result;
      } catch (err) {
        s.error('Nothing more was written');
        throw err;
      }
    },

    done(message) {
      p.outro(message);
    },

    warn(message) {
      p.log.warn(message);
    },
  };
}
