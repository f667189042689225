/**
 * The engine under Electron: `utilityProcess.fork` of the bundled engine entry (out/main/engine.js),
 * never a worker thread. Adapts Electron's UtilityProcess to the EngineChild the client expects.
 */
import path from 'node:path';
import { utilityProcess } from 'electron';
import type { EngineLauncher } from '../engine/process/client.js';

export function utilityEngineLauncher(mainDir: string): EngineLauncher {
  const entry = path.join(mainDir, 'engine.js');
  return (env) => {
    const child = utilityProcess.fork(entry, [], {
      env: { ...process.env, ...env },
      serviceName: 'Duet engine',
      stdio: 'inherit',
    });
    let exited = false;
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', listener),
      // utilityProcess reports an exit code only; a crash by signal shows as a non-zero code.
      onExit: (listener) =>
        child.on('exit', (code) => {
          exited = true;
          listener(code, null);
        }),
      kill: () => {
        child.kill();
      },
    };
  };
}
