/**
 * Starts `duet serve`: settings file, engine process, host, HTTP/WebSocket server; on Ctrl-C stops any
 * training run with a checkpoint before exiting.
 */
import path from 'node:path';
import { duetVersion } from '../cli/version.js';
import { EngineClient, nodeEngineLauncher } from '../engine/process/client.js';
import type { EngineLink } from '../engine/process/in-process.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { DuetHost } from '../host.js';
import { duetRoot } from '../paths.js';
import { MediaRoots } from '../security/media-path.js';
import { checkBindAddress } from '../security/remote-bind.js';
import { JsonSettingsStore } from '../settings.js';
import { type RunningServe, startServe } from './server.js';

export interface ServeCommandOptions {
  host?: string;
  port?: number;
  workspace?: string;
  backend?: string;
  rendererDir?: string;
  token?: string;
  /** Needed to listen on a non-loopback address (`--allow-remote`); a warning goes to stderr regardless. */
  allowRemote?: boolean;
  /** Injected engine (tests); a forked engine process otherwise. */
  engine?: EngineLink;
}

export interface ServeSession extends RunningServe {
  engine: EngineLink;
  host: DuetHost;
  workspace: string;
  stop(reason?: string): Promise<void>;
}

export async function runServe(o: ServeCommandOptions = {}): Promise<ServeSession> {
  const bind = o.host ?? '127.0.0.1';
  // Refused before anything starts; the warning is on stderr, so `--json` output still carries it.
  const warning = checkBindAddress(bind, o.allowRemote === true);
  if (warning) process.stderr.write(`${warning}\n`);
  const workspace = resolveWorkspace(o.workspace);
  const settings = new JsonSettingsStore(path.join(workspace, 'settings.json'));
  const backend = o.backend ?? settings.get().backend;
  const mediaRoots = new MediaRoots(workspace);
  let engine: EngineLink;
  if (o.engine) engine = o.engine;
  else {
    const client = new EngineClient({ launcher: nodeEngineLauncher(), workspace, backend, autoRestart: true });
    engine = client;
    // Start now, so the first request does not wait for TensorFlow to load; a failure shows on that request.
    client.start().catch((err) => process.stderr.write(`duet: the engine did not start: ${(err as Error).message}\n`));
  }
  const host = new DuetHost({
    engine,
    settings,
    mediaRoots,
    transport: 'serve',
    version: duetVersion(),
    // Under serve the workspace is the command line's; a new backend preference needs a new engine.
    onEngineSettingsChanged: async () => {
      if (engine instanceof EngineClient) {
        await engine.shutdown('backend setting changed');
        engine.configure({ backend: settings.get().backend });
        await engine.start();
      }
    },
  });
  const running = await startServe({
    host,
    mediaRoots,
    bind,
    port: o.port ?? 0,
    rendererDir: o.rendererDir ?? path.join(duetRoot(), 'out', 'renderer'),
    token: o.token,
  });
  let stopped: Promise<void> | null = null;
  return {
    ...running,
    engine,
    host,
    workspace,
    stop: (reason = 'serve stopped') => {
      stopped ??= (async () => {
        await running.close();
        await engine.shutdown(reason);
        host.dispose();
      })();
      return stopped;
    },
  };
}
