/**
 * A stand-in for "the outside world" of an app with egress that never leaves
 * the container: `egress-stub.mjs` runs inside the container's own network
 * namespace (entered with nsenter) and serves DNS on 127.0.0.1:53 and a TCP
 * "pong" listener on 127.0.0.1. The container is started with
 * `--dns 127.0.0.1`, so its lookup, and the connection to the address the
 * lookup returns, go through the real resolver and socket paths (and the
 * seccomp profile) while every packet stays on that namespace's loopback.
 */
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { podman } from './podman.js';

/** The stub's address inside the container's network namespace. */
export const STUB_ADDRESS = '127.0.0.1';

export interface EgressStub {
  readonly address: string;
  readonly tcpPort: number;
  /** DNS questions received (names), to prove the lookup went through the stub. */
  readonly questions: string[];
  /** TCP connections accepted. */
  readonly connections: () => number;
  close(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./egress-stub.mjs', import.meta.url));

/** Start the stub inside the network namespace of the running container `name`. */
export async function startEgressStub(name: string): Promise<EgressStub> {
  const inspect = await podman(['inspect', '--format', '{{.State.Pid}}', name], { timeoutMs: 20_000 });
  const pid = Number(inspect.stdout.trim());
  if (inspect.exitCode !== 0 || !(pid > 0)) throw new Error(`cannot find the PID of container ${name}: ${inspect.stderr || inspect.stdout}`);
  const child: ResultPromise = execa('nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, SERVER], {
    stdin: 'pipe',
    reject: false,
    timeout: 10 * 60_000,
    forceKillAfterDelay: 2_000,
  });
  const questions: string[] = [];
  let connections = 0;
  let buffered = '';
  const tcpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the egress stub did not start within 15 s')), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const ready = /^READY (\d+)$/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(Number(ready[1]));
        } else if (line.startsWith('QUESTION ')) questions.push(line.slice(9));
        else if (line === 'CONNECTION') connections++;
      }
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`the egress stub exited early: ${String(r.stderr ?? '')}`));
    });
  });
  return {
    address: STUB_ADDRESS,
    tcpPort,
    questions,
    connections: () => connections,
    close: async () => {
      child.stdin?.end();
      child.kill('SIGTERM');
      await child;
    },
  };
}
