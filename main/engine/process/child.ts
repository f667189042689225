/**
 * The engine process: owns TensorFlow and the workspace. Started by the parent with
 * `child_process.fork` (plain Node) or `utilityProcess.fork` (Electron), never in a worker thread.
 * It selects the backend, answers requests through the EngineService, pushes run and job events, and on
 * `shutdown` stops training runs with a checkpoint before exiting.
 */
import { mkdirSync } from 'node:fs';
import { DuetError, type DuetOperationName, ENGINE_OPERATIONS, parseRequest } from '#contract';
import { type BackendReport, selectBackend } from '../backend.js';
import { EngineService } from '../service/index.js';
import { releaseWebGpuBackend, simulateWebGpuDeviceLoss } from '../webgpu.js';
import { resolveWorkspace } from '../workspace.js';
import { ENGINE_ENV, type EngineInfo, type EngineMessage, INTERNAL_OPS, ParentMessageSchema } from './protocol.js';

/** Longest a requested shutdown may take (stopping a run finishes its step and writes a checkpoint). */
const SHUTDOWN_DEADLINE_MS = 120_000;
/** Shorter when the parent is gone: nobody is waiting, and nothing may keep training unseen. */
const ORPHAN_DEADLINE_MS = 30_000;

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

/** utilityProcess gives the child `process.parentPort`; child_process.fork gives `process.send`. */
function channel(): { send(m: EngineMessage): void; onMessage(l: (m: unknown) => void): void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  if (typeof process.send !== 'function') {
    throw new Error('The engine process must be started by Duet (no IPC channel to a parent).');
  }
  return {
    send: (m) => {
      if (process.connected) process.send?.(m);
    },
    onMessage: (l) => process.on('message', l),
  };
}

async function main(): Promise<void> {
  const port = channel();
  const workspace = resolveWorkspace(process.env[ENGINE_ENV.workspace]);
  try {
    mkdirSync(workspace, { recursive: true });
  } catch (err) {
    port.send({ kind: 'fatal', message: `Cannot create the workspace ${workspace}: ${(err as Error).message}` });
    process.exit(1);
  }

  const preference = process.env[ENGINE_ENV.backend];
  let backend: BackendReport | null = null;
  let backendError: string | undefined;
  try {
    backend = await selectBackend({ preference });
  } catch (err) {
    // The engine still answers projects, settings and scans; training reports the backend error.
    backendError = (err as Error).message;
  }

  const service = new EngineService({
    workspace,
    backend,
    backendError,
    reselectBackend: () => selectBackend({ preference }),
    emit: (event, payload) => port.send({ kind: 'event', event, payload }),
  });

  const info = (): EngineInfo => ({
    pid: process.pid,
    workspace,
    node: process.versions.node,
    ...service.backend(),
  });

  let stopping = false;
  const shutdown = async (reason: string, deadlineMs = SHUTDOWN_DEADLINE_MS) => {
    if (stopping) return;
    stopping = true;
    // A stop that cannot finish (its workspace deleted, a disk gone) must not leave an engine running.
    setTimeout(() => {
      process.stderr.write(`duet engine: could not stop cleanly within ${deadlineMs} ms (${reason}); exiting\n`);
      process.exit(75);
    }, deadlineMs);
    try {
      await service.shutdown(reason);
    } finally {
      // Dawn keeps Node alive while its GPU object lives: drop it, so nothing outlives the engine.
      releaseWebGpuBackend();
      port.send({ kind: 'shutdown-complete' });
      // Let the message flush before exiting.
      setTimeout(() => process.exit(0), 50);
    }
  };

  port.onMessage(async (raw) => {
    const parsed = ParentMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'shutdown') {
      await shutdown(msg.reason);
      return;
    }
    const { id, op, payload } = msg;
    try {
      let result: unknown;
      if (op === INTERNAL_OPS.info) result = info();
      else if (op === INTERNAL_OPS.activeRuns) result = service.activeRuns();
      else if (op === INTERNAL_OPS.crash) {
        const code = typeof payload === 'number' ? payload : 70;
        process.exit(code);
      } else if (op === INTERNAL_OPS.loseDevice) {
        result = simulateWebGpuDeviceLoss({ destroy: true });
      } else if ((ENGINE_OPERATIONS as string[]).includes(op)) {
        const name = op as DuetOperationName;
        result = await service.handle(name, parseRequest(name, payload));
      } else {
        throw new DuetError('invalid-request', `The engine has no operation "${op}".`);
      }
      port.send({ kind: 'response', id, ok: true, result });
    } catch (err) {
      port.send({ kind: 'response', id, ok: false, error: DuetError.payloadOf(err) });
    }
  });

  // A parent that goes away without saying so (killed): stop cleanly rather than train as an orphan.
  process.on('disconnect', () => void shutdown('parent disconnected', ORPHAN_DEADLINE_MS));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  port.send({ kind: 'ready', info: info() });
}

main().catch((err) => {
  process.stderr.write(`duet engine: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
