/**
 * Checklist: nothing a request sends can crash Duet — one guarded entry per transport (HTTP request,
 * WebSocket upgrade and message, IPC), with a last-resort log.
 *
 * Every handler that a request reaches runs inside `guarded`: a throw (synchronous or a rejected
 * promise) is logged once to stderr and answered by the transport's own fallback (a 500, a closed
 * socket, an error envelope). The fallback is guarded too: a failure there is logged, never thrown.
 */

export type GuardLog = (line: string) => void;

const stderrLog: GuardLog = (line) => {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr itself is gone: nothing left to tell
  }
};

/**
 * Wraps a handler so no error escapes it. `fallback` answers the request that failed; it receives the
 * error and the handler's arguments.
 */
export function guarded<A extends unknown[]>(
  entry: string,
  handler: (...args: A) => unknown,
  fallback: (err: unknown, ...args: A) => unknown,
  log: GuardLog = stderrLog,
): (...args: A) => void {
  const fail = (err: unknown, args: A) => {
    log(`duet: ${entry} failed: ${describe(err)}`);
    try {
      const answered = fallback(err, ...args);
      if (answered instanceof Promise) answered.catch((e) => log(`duet: ${entry} fallback failed: ${describe(e)}`));
    } catch (e) {
      log(`duet: ${entry} fallback failed: ${describe(e)}`);
    }
  };
  return (...args: A) => {
    try {
      const result = handler(...args);
      if (result instanceof Promise) result.catch((err) => fail(err, args));
    } catch (err) {
      fail(err, args);
    }
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err).slice(0, 200);
}

/** The same guard for transports that answer with a value (IPC's `handle`): a throw becomes `fallback(err)`. */
export async function answerGuarded<T>(
  entry: string,
  handler: () => T | Promise<T>,
  fallback: (err: unknown) => T,
  log: GuardLog = stderrLog,
): Promise<T> {
  try {
    return await handler();
  } catch (err) {
    log(`duet: ${entry} failed: ${describe(err)}`);
    return fallback(err);
  }
}
