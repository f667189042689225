import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { releaseWebGpuBackend, startWebGpuBackend } from '../../../main/engine/webgpu.js';

const run = promisify(execFile);

// A WebGPU adapter on this machine (a GPU, or lavapipe from scripts/install-vulkan.sh)?
const noAdapter = await startWebGpuBackend().then(
  () => undefined,
  (err: Error) => err.message,
);
releaseWebGpuBackend();
if (noAdapter) console.log(`duet info on webgpu skipped: ${noAdapter}`);

describe('duet info', () => {
  it('prints the backend report as JSON, forced to cpu by DUET_BACKEND', async () => {
    const { stdout } = await run(process.execPath, ['bin/duet.js', 'info', '--json'], {
      env: { ...process.env, DUET_BACKEND: 'cpu', DUET_WORKSPACE: '/tmp/duet-info-ws' },
    });
    const info = JSON.parse(stdout);
    expect(info.backend.candidate).toBe('cpu');
    expect(info.backend.gpu).toBe(false);
    expect(info.backend.forcedBy).toBe('DUET_BACKEND');
    expect(info.workspace).toBe('/tmp/duet-info-ws');
  });

  it.skipIf(noAdapter !== undefined)('DUET_BACKEND=webgpu names backend webgpu and its adapter', async () => {
    const env = { ...process.env, DUET_BACKEND: 'webgpu', DUET_WORKSPACE: '/tmp/duet-info-ws' };
    const { stdout } = await run(process.execPath, ['bin/duet.js', 'info', '--json'], { env });
    const info = JSON.parse(stdout);
    expect(info.backend).toMatchObject({ candidate: 'webgpu', backend: 'webgpu', forcedBy: 'DUET_BACKEND' });
    expect(info.backend.adapter.vendor).toBeTypeOf('string');
    expect(info.backend.adapter.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(info.backend.gpu).toBe(!info.backend.adapter.software);
    const text = await run(process.execPath, ['bin/duet.js', 'info'], { env });
    expect(text.stdout).toMatch(/Backend: +webgpu \(/);
    expect(text.stdout).toContain(`Adapter:    ${info.backend.adapter.description}`);
    expect(text.stdout).toMatch(/Limits: +buffer .*, storage binding /);
  });

  it('--no-backend reports versions and the workspace without starting a backend', async () => {
    const env = { ...process.env, DUET_BACKEND: 'no-such-backend', DUET_WORKSPACE: '/tmp/duet-info-ws' };
    const { stdout } = await run(process.execPath, ['bin/duet.js', 'info', '--json', '--no-backend'], { env });
    // A forced backend that does not exist would fail the command, had it been started.
    expect(JSON.parse(stdout)).toMatchObject({ backend: null, workspace: '/tmp/duet-info-ws' });
  });

  it('--help lists the commands', async () => {
    const { stdout } = await run(process.execPath, ['bin/duet.js', '--help']);
    expect(stdout).toMatch(/info/);
  });
});
