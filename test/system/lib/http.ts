/** Real HTTP requests from the host to a published container port. */
import { sleep } from './proc.js';

export interface HttpOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly body: string;
  readonly error: string | null;
}

export async function httpGet(url: string, timeoutMs = 3_000): Promise<HttpOutcome> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = await res.text();
    return { ok: res.status === 200, status: res.status, body: body.slice(0, 500), error: null };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = e.cause?.code ?? e.cause?.message ?? e.name;
    return { ok: false, status: null, body: '', error: `${e.message} (${detail})` };
  }
}

/**
 * Poll `url` until it answers 200, the `alive` probe says the container has
 * gone, or `timeoutMs` passes. Returns the last outcome and how long it took.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  alive: () => Promise<boolean>,
): Promise<{ outcome: HttpOutcome; elapsedMs: number }> {
  const start = Date.now();
  let outcome: HttpOutcome = { ok: false, status: null, body: '', error: 'not tried' };
  let n = 0;
  while (Date.now() - start < timeoutMs) {
    outcome = await httpGet(url, 2_000);
    if (outcome.ok) break;
    // Checking the container costs a podman call; do it every few attempts.
    if (++n % 4 === 0 && !(await alive())) break;
    await sleep(250);
  }
  return { outcome, elapsedMs: Date.now() - start };
}
