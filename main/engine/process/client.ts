/**
 * The parent's handle on the engine process: start it, send requests, receive events, notice when it
 * dies (with its exit code or signal), start a new one. The process itself is made by a launcher:
 * `child_process.fork` under plain Node (here), `utilityProcess.fork` under Electron (main/electron/).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuetError, type DuetErrorPayload, type EngineStatusEvent } from '#contract';
import { duetRoot, runningFromBuild } from '../../paths.js';
import {
  ENGINE_ENV,
  type EngineInfo,
  EngineInfoSchema,
  type EngineMessage,
  EngineMessageSchema,
  INTERNAL_OPS,
  type ParentMessage,
} from './protocol.js';

/** What the client needs from a child process, whichever API made it. */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: ParentMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type EngineLauncher = (env: Record<string, string>) => EngineChild;

/**
 * The engine entry for plain Node: the bundle (out/main/engine.js) when this code runs from the bundles,
 * the TypeScript source (run through tsx's loader, for development) when it runs from the sources.
 */
export function defaultEngineEntry(): string {
  if (runningFromBuild()) return path.join(duetRoot(), 'out', 'main', 'engine.js');
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts');
}

/** `child_process.fork` launcher; a .ts entry runs through tsx's loader. */
export function nodeEngineLauncher(entry: string = defaultEngineEntry()): EngineLauncher {
  return (env) => {
    const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = fork(entry, [], {
      env: { ...process.env, ...env },
      execArgv,
      // The engine's output is diagnostics: both streams go to the parent's stderr, so the parent's
      // stdout stays machine-readable (`duet serve --json`).
      stdio: ['ignore', process.stderr, 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}

export interface EngineClientOptions {
  launcher: EngineLauncher;
  workspace: string;
  /** Backend preference ('auto' or a candidate name) passed to the engine's backend selection. */
  backend?: string;
  /** Start a new engine after an unexpected exit (at most `maxRestarts` per minute). */
  autoRestart?: boolean;
  maxRestarts?: number;
  /** How long start() waits for the engine's ready message. */
  startTimeoutMs?: number;
}

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export type EngineEventListener = (event: 'run' | 'job', payload: unknown) => void;
export type EngineStatusListener = (status: EngineStatusEvent) => void;

/** One engine process at a time; requests made while it is down start it first. */
export class EngineClient {
  private child: EngineChild | null = null;
  private starting: Promise<EngineInfo> | null = null;
  private currentInfo: EngineInfo | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<EngineEventListener>();
  private readonly statusListeners = new Set<EngineStatusListener>();
  private readonly exits: number[] = [];
  private shuttingDown = false;
  private shutdownDone: (() => void) | null = null;
  /** The last exit, for reports: code, signal, when. */
  lastExit: { code: number | null; signal: string | null; at: Date } | null = null;

  constructor(private options: EngineClientOptions) {}

  /** Change the workspace or backend for the next start (stop the running engine first). */
  configure(changes: Partial<Pick<EngineClientOptions, 'workspace' | 'backend'>>): void {
    this.options = { ...this.options, ...changes };
  }

  get info(): EngineInfo | null {
    return this.currentInfo;
  }
  get running(): boolean {
    return this.child !== null;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  onEvent(listener: EngineEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }
  onStatus(listener: EngineStatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
  private status(s: EngineStatusEvent): void {
    for (const l of this.statusListeners) l(s);
  }

  /** Start the engine (or return the one starting); resolves with its info once it is ready. */
  start(): Promise<EngineInfo> {
    if (this.child && this.currentInfo) return Promise.resolve(this.currentInfo);
    if (this.starting) return this.starting;
    this.shuttingDown = false;
    this.status({ state: 'starting' });
    const env: Record<string, string> = { [ENGINE_ENV.workspace]: this.options.workspace };
    if (this.options.backend) env[ENGINE_ENV.backend] = this.options.backend;
    const child = this.options.launcher(env);
    this.child = child;
    this.starting = new Promise<EngineInfo>((resolve, reject) => {
      const timeout = this.options.startTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        reject(new DuetError('failed', `The engine process did not become ready within ${timeout} ms.`));
        child.kill();
      }, timeout);
      child.onMessage((raw) => {
        const parsed = EngineMessageSchema.safeParse(raw);
        if (!parsed.success) return;
        const msg = parsed.data;
        if (msg.kind === 'ready') {
          clearTimeout(timer);
          this.currentInfo = EngineInfoSchema.parse(msg.info);
          this.starting = null;
          this.status({ state: 'ready' });
          resolve(this.currentInfo);
          return;
        }
        if (msg.kind === 'fatal') {
          clearTimeout(timer);
          this.starting = null;
          reject(new DuetError('failed', `The engine process could not start: ${msg.message}`));
          return;
        }
        this.onMessage(msg);
      });
      child.onExit((code, signal) => {
        clearTimeout(timer);
        if (this.starting) {
          this.starting = null;
          reject(
            new DuetError('engine-exited', `The engine process exited while starting (${describeExit(code, signal)}).`),
          );
        }
        this.onExit(child, code, signal);
      });
    });
    return this.starting;
  }

  private onMessage(msg: EngineMessage): void {
    if (msg.kind === 'response') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(DuetError.fromPayload(msg.error ?? { code: 'failed', message: `${p.op} failed` }));
    } else if (msg.kind === 'event') {
      for (const l of this.eventListeners) l(msg.event, msg.payload);
    } else if (msg.kind === 'shutdown-complete') {
      this.shutdownDone?.();
    }
  }

  private onExit(child: EngineChild, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.currentInfo = null;
    this.lastExit = { code, signal, at: new Date() };
    const how = describeExit(code, signal);
    for (const [id, p] of this.pending) {
      p.reject(new DuetError('engine-exited', `The engine process exited (${how}) while handling ${p.op}.`));
      this.pending.delete(id);
    }
    const expected = this.shuttingDown;
    this.status({
      state: 'exited',
      code,
      signal,
      message: expected ? 'The engine process stopped.' : `The engine process exited unexpectedly (${how}).`,
    });
    this.shutdownDone?.();
    if (expected || !this.options.autoRestart) return;
    const now = Date.now();
    this.exits.push(now);
    while (this.exits.length && now - (this.exits[0] ?? now) > 60_000) this.exits.shift();
    if (this.exits.length > (this.options.maxRestarts ?? 3)) {
      this.status({
        state: 'exited',
        code,
        signal,
        message: `The engine process exited ${this.exits.length} times in a minute; not restarting it on its own. The next action starts it again.`,
      });
      return;
    }
    this.status({ state: 'restarting', message: `Starting a new engine process after it exited (${how}).` });
    this.start().catch(() => undefined);
  }

  /** Send one request; starts the engine if it is not running. Rejects with a DuetError. */
  async request(op: string, payload?: unknown): Promise<unknown> {
    if (!this.child || !this.currentInfo) await this.start();
    const child = this.child;
    if (!child) throw new DuetError('engine-exited', 'The engine process is not running.');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, resolve, reject });
      try {
        child.send({ kind: 'request', id, op, payload });
      } catch (err) {
        this.pending.delete(id);
        reject(new DuetError('engine-exited', `Could not reach the engine process: ${errorText(err)}`));
      }
    });
  }

  engineInfo(): Promise<EngineInfo> {
    return this.request(INTERNAL_OPS.info).then((r) => EngineInfoSchema.parse(r));
  }

  /**
   * Stop the engine: it stops any training run with a checkpoint, then exits. After `timeoutMs`
   * without that, the process is killed.
   */
  async shutdown(reason = 'quit', timeoutMs = 60_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.shuttingDown = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, timeoutMs);
      this.shutdownDone = () => {
        clearTimeout(timer);
        resolve();
      };
      child.send({ kind: 'shutdown', reason });
    });
    this.shutdownDone = null;
    // Wait for the exit itself so no process outlives the parent's shutdown.
    if (this.child === child) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill();
          resolve();
        }, 5_000);
        child.onExit(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Kill at once (tests, or a stuck engine). */
  kill(): void {
    this.child?.kill();
  }
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `signal ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type { DuetErrorPayload };
