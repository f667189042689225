/**
 * The engine's interface without a process: the EngineService called directly, for tests of the
 * transports and for callers that already run in a process of their own. Same requests, same
 * validation, same events as the EngineClient.
 */
import { DuetError, type DuetOperationName, ENGINE_OPERATIONS, type EngineStatusEvent, parseRequest } from '#contract';
import type { BackendReport } from '../backend.js';
import { EngineService } from '../service/index.js';
import { type EngineInfo, INTERNAL_OPS } from './protocol.js';

/** What a host (Electron main, `duet serve`) needs from an engine, in or out of process. */
export interface EngineLink {
  request(op: string, payload?: unknown): Promise<unknown>;
  onEvent(listener: (event: 'run' | 'job', payload: unknown) => void): () => void;
  onStatus(listener: (status: EngineStatusEvent) => void): () => void;
  engineInfo(): Promise<EngineInfo>;
  shutdown(reason?: string, timeoutMs?: number): Promise<void>;
}

export class InProcessEngine implements EngineLink {
  readonly service: EngineService;
  private readonly listeners = new Set<(event: 'run' | 'job', payload: unknown) => void>();

  constructor(
    private readonly workspace: string,
    private readonly backend: BackendReport | null = null,
  ) {
    this.service = new EngineService({
      workspace,
      backend,
      emit: (event, payload) => {
        for (const l of this.listeners) l(event, payload);
      },
    });
  }

  async request(op: string, payload?: unknown): Promise<unknown> {
    if (op === INTERNAL_OPS.info) return this.engineInfo();
    if (!(ENGINE_OPERATIONS as string[]).includes(op)) {
      throw new DuetError('invalid-request', `The engine has no operation "${op}".`);
    }
    const name = op as DuetOperationName;
    return this.service.handle(name, parseRequest(name, payload));
  }
  onEvent(listener: (event: 'run' | 'job', payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onStatus(): () => void {
    return () => undefined;
  }
  async engineInfo(): Promise<EngineInfo> {
    return {
      pid: process.pid,
      workspace: this.workspace,
      node: process.versions.node,
      backend: this.backend,
    };
  }
  async shutdown(reason = 'shutdown'): Promise<void> {
    await this.service.shutdown(reason);
  }
}
