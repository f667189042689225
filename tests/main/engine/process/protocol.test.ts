import { describe, expect, it } from 'vitest';
import type { EngineStatusEvent } from '#contract';
import { type EngineChild, EngineClient } from '../../../../main/engine/process/client.js';
import {
  EngineMessageSchema,
  type ParentMessage,
  ParentMessageSchema,
} from '../../../../main/engine/process/protocol.js';

/** An engine child the test drives by hand: it records what the parent sends and replies on demand. */
class ScriptedChild implements EngineChild {
  readonly pid = 4242;
  readonly sent: ParentMessage[] = [];
  private messageListener: (m: unknown) => void = () => undefined;
  private exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
  killed = false;
  send(message: ParentMessage): void {
    this.sent.push(message);
  }
  onMessage(listener: (m: unknown) => void): void {
    this.messageListener = listener;
  }
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  reply(m: unknown): void {
    this.messageListener(m);
  }
  exit(code: number | null, signal: string | null): void {
    for (const l of this.exitListeners) l(code, signal);
  }
}

const info = { pid: 4242, workspace: '/ws', node: '20', backend: null };

function setup() {
  const children: ScriptedChild[] = [];
  const client = new EngineClient({
    launcher: () => {
      const c = new ScriptedChild();
      children.push(c);
      return c;
    },
    workspace: '/ws',
    startTimeoutMs: 1000,
  });
  const statuses: EngineStatusEvent[] = [];
  client.onStatus((s) => statuses.push(s));
  return { client, children, statuses };
}

describe('engine message protocol', () => {
  it('validates both directions', () => {
    expect(ParentMessageSchema.safeParse({ kind: 'request', id: 1, op: 'listProjects', payload: {} }).success).toBe(
      true,
    );
    expect(ParentMessageSchema.safeParse({ kind: 'request', id: 'x', op: 'a' }).success).toBe(false);
    expect(
      EngineMessageSchema.safeParse({ kind: 'response', id: 1, ok: false, error: { code: 'bogus', message: '' } })
        .success,
    ).toBe(false);
    expect(EngineMessageSchema.safeParse({ kind: 'event', event: 'telemetry', payload: {} }).success).toBe(false);
  });

  it('matches answers to requests by id, whatever their order', async () => {
    const { client, children } = setup();
    const started = client.start();
    children[0]?.reply({ kind: 'ready', info });
    await started;
    const a = client.request('listProjects', {});
    const b = client.request('listModels', {});
    await Promise.resolve();
    const [ra, rb] = (children[0]?.sent ?? []).filter((m) => m.kind === 'request') as Array<{ id: number }>;
    children[0]?.reply({ kind: 'response', id: rb?.id, ok: true, result: ['models'] });
    children[0]?.reply({ kind: 'response', id: ra?.id, ok: false, error: { code: 'not-found', message: 'gone' } });
    expect(await b).toEqual(['models']);
    await expect(a).rejects.toMatchObject({ code: 'not-found', message: 'gone' });
  });

  it('ignores malformed messages and forwards events', async () => {
    const { client, children } = setup();
    const events: unknown[] = [];
    client.onEvent((kind, payload) => events.push([kind, payload]));
    const started = client.start();
    children[0]?.reply('garbage');
    children[0]?.reply({ kind: 'ready' }); // no info: not ready
    children[0]?.reply({ kind: 'ready', info });
    await started;
    children[0]?.reply({ kind: 'event', event: 'run', payload: { x: 1 } });
    children[0]?.reply({ kind: 'response', id: 999, ok: true, result: 1 }); // unknown id: dropped
    expect(events).toEqual([['run', { x: 1 }]]);
  });

  it('fails a start that never becomes ready, killing the child', async () => {
    const { client, children, statuses } = setup();
    await expect(client.start()).rejects.toMatchObject({ message: expect.stringMatching(/did not become ready/) });
    expect(children[0]?.killed).toBe(true);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'exited']);
  });

  it('reports a fatal start error with its message', async () => {
    const { client, children } = setup();
    const started = client.start();
    children[0]?.reply({ kind: 'fatal', message: 'Cannot create the workspace /ws: EACCES' });
    await expect(started).rejects.toMatchObject({
      message: expect.stringMatching(/could not start: Cannot create the workspace/),
    });
  });

  it('fails every request in flight when the engine exits, naming the exit', async () => {
    const { client, children, statuses } = setup();
    const started = client.start();
    children[0]?.reply({ kind: 'ready', info });
    await started;
    const pending = [client.request('startRun', {}), client.request('getRun', {})];
    children[0]?.exit(null, 'SIGSEGV');
    for (const p of pending) {
      await expect(p).rejects.toMatchObject({
        code: 'engine-exited',
        message: expect.stringMatching(/signal SIGSEGV/),
      });
    }
    expect(statuses.at(-1)).toMatchObject({ state: 'exited', signal: 'SIGSEGV' });
    expect(client.running).toBe(false);
    // No auto-restart asked for: the next request starts a new child.
    const again = client.request('listProjects');
    await new Promise((r) => setTimeout(r, 0));
    expect(children.length).toBe(2);
    children[1]?.reply({ kind: 'ready', info });
    await new Promise((r) => setTimeout(r, 0));
    const req = children[1]?.sent.find((m) => m.kind === 'request') as { id: number };
    children[1]?.reply({ kind: 'response', id: req.id, ok: true, result: [] });
    expect(await again).toEqual([]);
  });
});
