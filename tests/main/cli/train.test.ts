import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatLosses,
  loadSizeFor,
  outputPaletteOption,
  progressLine,
  settingsFromCli,
} from '../../../main/cli/train.js';
import { resolveSettings } from '../../../main/engine/runs/settings.js';
import { makeTestData, makeWorkspace, type TestData } from '../../support/runs.js';

describe('settingsFromCli', () => {
  it('maps options onto settings, loading at the reference 286/256 ratio', () => {
    const s = settingsFromCli({
      model: 'pix2pix',
      preset: 'quick',
      size: '128',
      iterations: '50',
      checkpointEvery: '10',
    });
    expect(s).toEqual({
      model: 'pix2pix',
      preset: 'quick',
      size: 128,
      loadSize: 143,
      iterations: 50,
      checkpointEvery: 10,
    });
    expect(loadSizeFor(256)).toBe(286);
    expect(resolveSettings(s)).toMatchObject({ size: 128, loadSize: 143, iterations: 50, generator: 'tiny' });
  });

  it('--output-palette turns finding flat output colours on (the default) or off', () => {
    expect(resolveSettings(settingsFromCli({ outputPalette: 'off' })).outputPalette).toBe('off');
    expect(resolveSettings(settingsFromCli({})).outputPalette).toBe('auto');
    expect(outputPaletteOption('auto')).toBe('auto');
    expect(() => outputPaletteOption('on')).toThrow(/--output-palette must be auto or off \(got "on"\)/);
  });

  it('--epochs N is N in all, half decaying, and replaces a preset iteration count', () => {
    const s = resolveSettings(settingsFromCli({ preset: 'quick', epochs: '5' }));
    expect([s.epochs, s.epochsDecay, s.iterations]).toEqual([3, 2, undefined]);
  });

  it('refuses more than one training length', () => {
    expect(() => settingsFromCli({ iterations: '5', epochs: '2' })).toThrow(
      /Give one training length: --iterations, --epochs or --minutes, not --iterations and --epochs/,
    );
    expect(() => settingsFromCli({ epochs: '2', minutes: '3' })).toThrow(/not --epochs and --minutes/);
    expect(() => settingsFromCli({ iterations: '2', minutes: '3' })).toThrow(/not --iterations and --minutes/);
  });

  it('--minutes N is a time budget that replaces a preset iteration count', () => {
    expect(settingsFromCli({ minutes: '2.5' })).toEqual({ minutes: 2.5 });
    const s = resolveSettings(settingsFromCli({ preset: 'quick', minutes: '10' }));
    expect([s.minutes, s.iterations]).toEqual([10, undefined]);
  });

  it('shows a time budget as time trained of the budget', () => {
    const e = {
      type: 'progress' as const,
      runId: 'r',
      iteration: 40,
      totalIterations: 80000,
      epoch: 0,
      losses: { G_L1: 0.5 },
      lr: 1e-3,
      itPerSec: 2,
      etaSeconds: 520,
    };
    expect(progressLine(e)).toMatch(/^it 40\/80000 \| 2\.00 it\/s \| ETA 8m 40s/);
    expect(progressLine({ ...e, trainingSeconds: 80, budgetSeconds: 600 })).toMatch(
      /^it 40 \| 1m 20s of 10m 00s \| 2\.00 it\/s \| ETA 8m 40s/,
    );
  });

  it('formats losses compactly', () => {
    expect(formatLosses({ G_A: 0.51234, cycle_A: 123.4 })).toBe('G_A 0.512 cycle_A 123');
  });
});

const BIN = path.resolve('bin/duet.js');

function duet(args: string[], onLine?: (line: Record<string, unknown>, kill: () => void) => void) {
  const child = spawn(process.execPath, [BIN, ...args], {
    // cpu: `duet` on the wasm backend fails to start in a plain Node process here (see the runs note).
    env: { ...process.env, DUET_BACKEND: 'cpu' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  readline.createInterface({ input: child.stdout }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    onLine?.(line, () => child.kill('SIGINT'));
  });
  return new Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, lines, stderr }));
  });
}

describe('duet train', () => {
  let data: TestData;
  let workspace: string;
  beforeAll(async () => {
    data = await makeTestData(3);
    workspace = await makeWorkspace();
  });
  afterAll(async () => {
    await fs.rm(data.root, { recursive: true, force: true });
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('Ctrl-C stops with a checkpoint (exit 130); --resume finishes the run', async () => {
    let interrupted = false;
    const first = await duet(
      [
        'train',
        '--a',
        data.a,
        '--b',
        data.b,
        '--model',
        'pix2pix',
        '--preset',
        'quick',
        '--size',
        '16',
        '--iterations',
        '3',
        '--sample-every',
        '1000',
        '--checkpoint-every',
        '1000',
        '--workspace',
        workspace,
        '--name',
        'cli',
        '--json',
      ],
      (line, sigint) => {
        if (line.type === 'progress' && !interrupted) {
          interrupted = true;
          sigint();
        }
      },
    );
    expect(first.code, first.stderr).toBe(130);
    const done = first.lines.at(-1)!;
    expect(done).toMatchObject({ type: 'done', state: 'stopped' });
    const stoppedAt = done.iteration as number;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(3);
    expect(first.lines.find((l) => l.type === 'checkpoint')).toMatchObject({ iteration: stoppedAt });
    const runId = first.lines[0]!.runId as string;
    expect(first.lines[0]).toMatchObject({ type: 'run', totalIterations: 3, iteration: 0 });

    const second = await duet(['train', '--resume', runId, '--workspace', workspace, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.lines[0]).toMatchObject({ type: 'run', runId, iteration: stoppedAt });
    const progress = second.lines.filter((l) => l.type === 'progress').map((l) => l.iteration);
    expect(progress).toEqual(Array.from({ length: 3 - stoppedAt }, (_, i) => stoppedAt + i + 1));
    expect(second.lines.at(-1)).toMatchObject({ type: 'done', state: 'finished', iteration: 3 });
  }, 150_000);

  it('explains bad options', async () => {
    const both = await duet(['train', '--a', data.a, '--iterations', '3', '--epochs', '2', '--workspace', workspace]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/Give one training length: --iterations, --epochs or --minutes/);
    const noTime = await duet(['train', '--a', data.a, '--minutes', '0', '--workspace', workspace]);
    expect(noTime.stderr).toMatch(/--minutes must be a number above 0 and at most 1440 \(got "0"\)/);
    const none = await duet(['train', '--workspace', workspace]);
    expect(none.stderr).toMatch(/Give the training data: --a DIR/);
    const badSize = await duet(['train', '--a', data.a, '--b', data.b, '--size', '8', '--workspace', workspace]);
    expect(badSize.stderr).toMatch(/--size must be a whole number from 16 to 1024 \(got "8"\)/);
    const mixed = await duet(['train', '--resume', 'x', '--size', '32', '--workspace', workspace]);
    expect(mixed.stderr).toMatch(/leave out --size/);
    const missing = await duet(['train', '--resume', 'nope', '--workspace', workspace]);
    expect(missing.stderr).toMatch(/No run "nope"/);
  });
});
