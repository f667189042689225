import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatusEvent } from '../../../main/contract/api.js';
import { EngineClient, nodeEngineLauncher } from '../../../main/engine/process/client.js';
import { INTERNAL_OPS } from '../../../main/engine/process/protocol.js';

let workspace: string;
let engine: EngineClient;
const statuses: EngineStatusEvent[] = [];

beforeAll(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'duet-engine-'));
  engine = new EngineClient({ launcher: nodeEngineLauncher(), workspace, backend: 'cpu', autoRestart: true });
  engine.onStatus((s) => statuses.push(s));
  await engine.start();
}, 120_000);

afterAll(async () => {
  await engine?.shutdown('test done', 20_000);
  rmSync(workspace, { recursive: true, force: true });
});

function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

describe('engine process', () => {
  it('runs in its own process with the requested backend', async () => {
    const info = await engine.engineInfo();
    expect(info.pid).not.toBe(process.pid);
    expect(info.pid).toBe(engine.pid);
    expect(info.workspace).toBe(workspace);
    expect(info.backend?.candidate).toBe('cpu');
    expect(info.modules).toHaveProperty('runs');
  });

  it('answers operations and validates their payloads inside the engine', async () => {
    const created = (await engine.request('createProject', { name: 'Maps' })) as { id: string; name: string };
    expect(created.name).toBe('Maps');
    const list = (await engine.request('listProjects', {})) as Array<{ id: string }>;
    expect(list.map((p) => p.id)).toContain(created.id);
    await expect(engine.request('createProject', { name: 42 })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/createProject: name/),
    });
    await expect(engine.request('getSettings', {})).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('reports its death with the exit code, fails the request in flight, and restarts', async () => {
    const before = engine.pid;
    statuses.length = 0;
    await expect(engine.request(INTERNAL_OPS.crash, 42)).rejects.toMatchObject({
      code: 'engine-exited',
      message: expect.stringMatching(/exit code 42/),
    });
    expect(engine.lastExit?.code).toBe(42);
    await waitFor(() => statuses.some((s) => s.state === 'ready'));
    expect(statuses.map((s) => s.state)).toEqual(['exited', 'restarting', 'starting', 'ready']);
    expect(statuses[0]).toMatchObject({ code: 42, message: expect.stringMatching(/unexpectedly/) });
    expect(engine.pid).not.toBe(before);
    const list = (await engine.request('listProjects')) as unknown[];
    expect(list.length).toBe(1);
  }, 120_000);

  it('reports a kill by signal', async () => {
    statuses.length = 0;
    const pid = engine.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => statuses.some((s) => s.state === 'exited'));
    expect(statuses[0]).toMatchObject({ state: 'exited', signal: 'SIGKILL' });
    await waitFor(() => statuses.some((s) => s.state === 'ready'));
  }, 120_000);

  it('stops cleanly on shutdown without restarting', async () => {
    statuses.length = 0;
    await engine.shutdown('test', 20_000);
    expect(engine.running).toBe(false);
    expect(statuses.map((s) => s.state)).toEqual(['exited']);
    expect(statuses[0]).toMatchObject({ code: 0, message: 'The engine process stopped.' });
    // The next request starts a new one.
    const list = (await engine.request('listProjects')) as unknown[];
    expect(list.length).toBe(1);
  }, 120_000);
});
