import { describe, expect, it } from 'vitest';
import { type BenchReport, formatBenchTable, runBench } from '../../../main/bench/index.js';
import { formatTrainingBench, trainingUnsupportedReason } from '../../../main/bench/training.js';
import type { BackendReport } from '../../../main/engine/backend.js';

const backendReport: BackendReport = {
  candidate: 'cpu',
  backend: 'cpu',
  gpu: false,
  tfjsVersion: '4.22.0',
  attempts: [{ candidate: 'cpu', ok: true }],
};

describe('bench harness', () => {
  it('refuses an unknown area by name, listing the known ones', async () => {
    await expect(runBench({ only: ['speed'], backend: backendReport })).rejects.toThrow(
      /Unknown bench area "speed".*training/,
    );
  });

  it('formats rows, refusals and failed areas into one table', () => {
    const report: BenchReport = {
      createdAt: '2026-11-23T14:00:00.000Z',
      backend: 'cpu (CPU)',
      backendReport,
      machine: { cpus: 2, cpuModel: 'test', loadAverage: [1, 2, 3], node: '20', platform: 'linux-x64' },
      areas: [
        {
          area: 'training',
          seconds: 1,
          rows: [
            { area: 'training', name: 'cyclegan 64 px', value: 12.345, unit: 's/it', note: '12.7× PyTorch' },
            {
              area: 'training',
              name: 'cyclegan 256 px',
              value: null,
              unit: 's/it',
              note: 'WebAssembly is limited to 4 GB',
            },
          ],
        },
        { area: 'data', seconds: 0, rows: [], error: 'sharp missing' },
      ],
    };
    const text = formatBenchTable(report);
    expect(text).toMatch(/cpu \(CPU\); 2 cores .*load 1\.0 2\.0 3\.0/);
    expect(text).toMatch(/cyclegan 64 px\s+12\.3\s+s\/it\s+12\.7× PyTorch/);
    expect(text).toMatch(/cyclegan 256 px\s+—\s+s\/it\s+WebAssembly is limited to 4 GB/);
    expect(text).toMatch(/data\s+\(area failed\)\s+—\s+sharp missing/);
  });
});

describe('training bench', () => {
  it('says why a backend cannot train, naming the missing kernel and what to do', () => {
    expect(trainingUnsupportedReason('no-such-backend')).toMatch(/no Conv2DBackpropFilter kernel.*DUET_BACKEND=cpu/);
  });

  it('prints wall and CPU seconds and the ratio to PyTorch', () => {
    const lines = formatTrainingBench([
      {
        model: 'cyclegan',
        network: 'resnet_9blocks + basic',
        size: 64,
        backend: 'wasm',
        status: 'ok',
        secondsPerIteration: 9.7,
        cpuSecondsPerIteration: 4.85,
        samples: [9.7],
        cpuSamples: [4.85],
        pytorchSeconds: 0.97,
        ratioToPytorch: 10,
      },
      {
        model: 'cyclegan',
        network: 'resnet_9blocks + basic',
        size: 256,
        backend: 'wasm',
        status: 'refused',
        samples: [],
        cpuSamples: [],
        message: 'needs about 5.1 GB',
      },
    ]);
    expect(lines[0]).toBe(
      "cyclegan resnet_9blocks + basic 64 px on wasm: 9.70 s wall, 4.85 s CPU (10.0× PyTorch's 0.97 s)",
    );
    expect(lines[1]).toBe('cyclegan resnet_9blocks + basic 256 px on wasm: refused — needs about 5.1 GB');
  });
});

describe('wasm memory errors', () => {
  it('are recognised so the bench names the 4 GB limit instead of a raw wasm error', async () => {
    const { isWasmMemoryError } = await import('../../../main/bench/training.js');
    expect(isWasmMemoryError('memory access out of bounds')).toBe(true);
    expect(isWasmMemoryError('Invalid typed array length: 205520896')).toBe(true);
    expect(isWasmMemoryError('Kernel not registered')).toBe(false);
  });
});
