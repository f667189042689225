import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from '../../../main/engine/runs/checkpoints.js';
import { listRuns } from '../../../main/engine/runs/run-files.js';

const BIN = path.resolve('bin/duet.js');
const temps: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-cli-demo-'));
  temps.push(d);
  return d;
}
afterAll(async () => {
  for (const d of temps) await fs.rm(d, { recursive: true, force: true });
});

/** `duet demo` with a small sample; `interruptOn` sends Ctrl-C when stderr first matches it. */
function demo(args: string[], interruptOn?: RegExp) {
  const child = spawn(process.execPath, [BIN, 'demo', '--count', '3', '--test-count', '2', ...args], {
    // cpu: `duet` on the wasm backend fails to start in a plain Node process here (as in train.test.ts).
    env: { ...process.env, DUET_BACKEND: 'cpu' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
    if (interruptOn && !interrupted && interruptOn.test(stderr)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function projectsOf(workspace: string): Promise<string[]> {
  return fs.readdir(path.join(workspace, 'projects'));
}

describe('duet demo', () => {
  it('leaves its run in the workspace given, and prints where it is', async () => {
    const workspace = await tempDir();
    const out = path.join(await tempDir(), 'demo');
    // A 1.2 s budget: the run ends by time after its first steps.
    const r = await demo(['--minutes', '0.02', '--out', out, '--workspace', workspace]);
    expect(r.code, r.stderr).toBe(0);
    const [project] = await projectsOf(workspace);
    const [run] = await listRuns(workspace, project!);
    expect(run).toMatchObject({ state: 'finished', settings: { preset: 'quick', minutes: 0.02 } });
    expect(r.stdout).toContain(
      `Run: ${project}/${run!.id} (${path.join(workspace, 'projects', project!, 'runs', run!.id)})`,
    );
    expect(r.stdout).toMatch(/Report: .*report/);
    expect(r.stderr).toContain(`as a run in ${workspace}`);
  }, 300_000);

  it('Ctrl-C stops the run with a checkpoint (exit 130)', async () => {
    const workspace = await tempDir();
    const out = path.join(await tempDir(), 'demo');
    const r = await demo(['--minutes', '10', '--out', out, '--workspace', workspace], /train it \d+/);
    expect(r.code, r.stderr).toBe(130);
    const [project] = await projectsOf(workspace);
    const [run] = await listRuns(workspace, project!);
    expect(run!.state).toBe('stopped');
    expect(r.stderr).toContain(
      `its run stopped with a checkpoint: ${path.join(workspace, 'projects', project!, 'runs', run!.id)}`,
    );
    expect((await listCheckpoints(path.join(workspace, 'projects', project!, 'runs', run!.id))).length).toBe(1);
    await expect(fs.readdir(path.join(out, 'report'))).rejects.toThrow(/ENOENT/);
  }, 300_000);
});
