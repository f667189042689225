import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

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

  it('--help lists the commands', async () => {
    const { stdout } = await run(process.execPath, ['bin/duet.js', '--help']);
    expect(stdout).toMatch(/info/);
  });
});
