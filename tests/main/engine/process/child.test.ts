import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatusEvent } from '#contract';
import { EngineClient, nodeEngineLauncher } from '../../../../main/engine/process/client.js';
import { INTERNAL_OPS } from '../../../../main/engine/process/protocol.js';
import { waitFor } from '../../../support/wait.js';

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

describe('engine process', () => {
  it('runs in its own process with the requested backend', async () => {
    const info = await engine.engineInfo();
    expect(info.pid).not.toBe(process.pid);
    expect(info.pid).toBe(engine.pid);
    expect(info.workspace).toBe(workspace);
    expect(info.backend?.candidate).toBe('cpu');
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

describe('an engine whose parent dies', () => {
  it('stops on its own instead of running as an orphan', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-orphan-'));
    const script = path.join(dir, 'parent.mts');
    const clientUrl = new URL('../../../../main/engine/process/client.ts', import.meta.url).href;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      script,
      `import { EngineClient, nodeEngineLauncher } from ${JSON.stringify(clientUrl)};
const e = new EngineClient({ launcher: nodeEngineLauncher(), workspace: ${JSON.stringify(path.join(dir, 'ws'))}, backend: 'cpu' });
await e.start();
console.log(String(e.pid));
setInterval(() => {}, 1000);
`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const enginePid = await new Promise<number>((resolve, reject) => {
      parent.stdout?.once('data', (d) => resolve(Number(String(d).trim())));
      parent.once('exit', (code) => reject(new Error(`parent exited ${code}`)));
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(enginePid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !alive(enginePid), 40_000);
    expect(alive(enginePid)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
