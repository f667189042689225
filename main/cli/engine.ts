/**
 * The command line as a client of the engine service, in process: the same operations, validation and
 * events as the window's, through a DuetApi built on the EngineService (DESIGN.md §2). Requests and
 * answers are checked against the contract both ways, as a host checks them for the window.
 */
import {
  createDuetClient,
  DUET_EVENTS,
  DUET_OPERATIONS,
  type DuetApi,
  DuetError,
  type DuetEventName,
  operationForChannel,
  parseResponse,
} from '#contract';
import type { BackendReport } from '../engine/backend.js';
import { InProcessEngine } from '../engine/process/in-process.js';

export interface CliEngine {
  readonly api: DuetApi;
  /** Stop every run with a checkpoint and cancel jobs. */
  close(): Promise<void>;
}

export function openEngine(workspace: string, backend: BackendReport | null = null): CliEngine {
  const engine = new InProcessEngine(workspace, backend);
  const channels = new Map<string, DuetEventName>(
    (Object.keys(DUET_EVENTS) as DuetEventName[]).map((e) => [DUET_EVENTS[e].channel, e]),
  );
  const api = createDuetClient({
    kind: 'cli',
    async invoke(channel, payload) {
      const name = operationForChannel(channel);
      if (!name || DUET_OPERATIONS[name].runsIn !== 'engine') {
        throw new DuetError('not-available', `${name ?? channel} is the window's, not the command line's.`);
      }
      return parseResponse(name, await engine.request(name, payload));
    },
    subscribe(channel, listener) {
      const event = channels.get(channel);
      if (event !== 'run' && event !== 'job') return () => undefined;
      return engine.onEvent((name, payload) => {
        if (name === event) listener(payload);
      });
    },
    mediaUrl: (p) => p,
    downloadUrl: () => null,
    getPathForFile: () => null,
  });
  return { api, close: () => engine.shutdown('the command ended') };
}
