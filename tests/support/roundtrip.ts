/**
 * Sends every DuetApi operation through a client and checks both ends: the engine received exactly the
 * validated request, and the page received exactly the engine's answer. Shared by the IPC and the
 * WebSocket transport tests.
 */
import { expect } from 'vitest';
import { type DuetApi, ENGINE_OPERATIONS, parseRequest } from '#contract';
import { EXAMPLES, type RecordingEngine } from './recording-engine.js';

export async function expectEveryEngineOperationRoundTrips(api: DuetApi, engine: RecordingEngine): Promise<number> {
  let count = 0;
  for (const name of ENGINE_OPERATIONS) {
    const example = EXAMPLES[name];
    engine.received.length = 0;
    const call = api[name] as (r: unknown) => Promise<unknown>;
    const response = await call(example.request);
    expect(response, name).toEqual(example.response);
    expect(engine.received, name).toEqual([{ op: name, payload: parseRequest(name, example.request) }]);
    count++;
  }
  return count;
}

export async function expectHostOperations(api: DuetApi, transport: 'electron' | 'serve', workspace: string) {
  const info = await api.getSystemInfo();
  expect(info.transport).toBe(transport);
  expect(info.workspace).toBe(workspace);
  const before = await api.getSettings();
  expect(before.theme).toBe('system');
  const after = await api.setSettings({ theme: 'dark' });
  expect(after.theme).toBe('dark');
  expect((await api.getSettings()).theme).toBe('dark');
  await expect(api.setSettings({ theme: 'purple' as never })).rejects.toMatchObject({
    code: 'invalid-request',
    message: expect.stringMatching(/setSettings: theme/),
  });
}
