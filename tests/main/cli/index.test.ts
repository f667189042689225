import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../main/cli/commands.js';
import { buildProgram, commandOf } from '../../../main/cli/index.js';

const exec = promisify(execFile);

describe('the command line loads only the command it runs', () => {
  it('finds the command in the arguments, also behind `help`', () => {
    expect(commandOf(['scan', 'DIR', '--json'])).toBe('scan');
    expect(commandOf(['--help'])).toBeUndefined();
    expect(commandOf(['help', 'train'])).toBe('train');
    expect(commandOf(['nonsense'])).toBeUndefined();
  });

  it('lists every command with its summary without loading any of them', async () => {
    const program = await buildProgram(null);
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(Object.keys(COMMANDS));
    for (const c of program.commands) {
      expect(c.description()).toBe(COMMANDS[c.name() as keyof typeof COMMANDS].summary);
      expect(c.options).toEqual([]); // a summary only: the module was not loaded
    }
  });

  it('registers the command being run in full, under the same summary', async () => {
    const program = await buildProgram('scan');
    const scan = program.commands.find((c) => c.name() === 'scan')!;
    expect(scan.options.map((o) => o.long)).toContain('--json');
    expect(scan.description()).toBe(COMMANDS.scan.summary);
    expect(program.commands.find((c) => c.name() === 'train')!.options).toEqual([]);
  });
});

describe('bin/duet.js from the build', () => {
  it('runs the bundled command line (building it first when the sources are newer)', async () => {
    const env = { ...process.env };
    delete env.DUET_FROM_SOURCE;
    const { stdout } = await exec(process.execPath, ['bin/duet.js', '--version'], { env, timeout: 300_000 });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const { buildState } = (await import('../../../scripts/build.mjs')) as { buildState: () => string };
    expect(buildState()).toBe('current');
  }, 300_000);
});
