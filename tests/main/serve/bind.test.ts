import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runServe, type ServeSession } from '../../../main/serve/index.js';
import { RecordingEngine } from '../../support/recording-engine.js';

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const address = externalAddress();
if (!address) {
  console.log('bind.test: skipped — this machine has no non-loopback IPv4 address to connect from.');
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-bind-'));
const sessions: ServeSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.stop('test done');
  rmSync(tmp, { recursive: true, force: true });
});

async function reach(url: string): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? (err as Error).name;
  }
}

describe.skipIf(!address)(`duet serve on a non-loopback address (${address})`, () => {
  it('is unreachable there by default (bound to 127.0.0.1)', async () => {
    const s = await runServe({ workspace: tmp, engine: new RecordingEngine(tmp), port: 0 });
    sessions.push(s);
    expect(await reach(`http://127.0.0.1:${s.port}/api/health?token=${s.token}`)).toBe(200);
    expect(await reach(`http://${address}:${s.port}/api/health?token=${s.token}`)).toBe('ECONNREFUSED');
  });

  it('is reachable there when --host and --allow-remote say so, and still needs the token', async () => {
    const s = await runServe({
      workspace: tmp,
      engine: new RecordingEngine(tmp),
      port: 0,
      host: '0.0.0.0',
      allowRemote: true,
    });
    sessions.push(s);
    expect(await reach(`http://${address}:${s.port}/api/health?token=${s.token}`)).toBe(200);
    expect(await reach(`http://${address}:${s.port}/api/health`)).toBe(401);
  });
});
