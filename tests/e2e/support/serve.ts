/** Starts `duet serve` on a free port with its own workspace and reads its URL and token from stdout. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { DuetApi } from '#contract';
import { createServeClient } from '#contract';

export interface ServeHandle {
  url: string;
  origin: string;
  token: string;
  workspace: string;
  /** The same API the page uses, from Node: for probing what the engine offers. */
  api: DuetApi & { close(): void };
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServe(workspace: string, timeoutMs = 60_000): Promise<ServeHandle> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/duet.js', 'serve', '--port', '0', '--workspace', workspace, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d) => {
    log += String(d);
  });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`duet serve printed no URL in ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      log += `${line}\n`;
      if (line.trim().startsWith('{')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`duet serve exited (${code}) before printing its URL:\n${log}`));
    });
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  const origin = new URL(url).origin;
  const api = createServeClient({
    origin,
    token,
    webSocket: (u) =>
      new WebSocket(u) as unknown as ReturnType<NonNullable<Parameters<typeof createServeClient>[0]['webSocket']>>,
    timeoutMs: 30_000,
  });
  return {
    url,
    origin,
    token,
    workspace,
    api,
    output: () => log,
    stop: async () => {
      api.close();
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
