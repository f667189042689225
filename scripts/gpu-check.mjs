#!/usr/bin/env node
// The GPU checks, for a machine with a real GPU: which adapter Duet finds, the webgpu parity tests against
// the cpu backend, the model tests (layers, trainer, learning, memory, tiling) and the engine process on
// webgpu, the bench's wasm-area configurations on webgpu beside wasm, and the same on tfjs-node-gpu where
// it is installed. Prints one table; exits 1 if a check failed. Run from the repository root after
// `npm ci`: `node scripts/gpu-check.mjs`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
mkdirSync('test-results', { recursive: true });
const rows = [];
let failed = false;

function run(args, env = {}) {
  const r = spawnSync('npx', args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function row(check, backend, result, detail) {
  rows.push([check, backend, result, detail]);
  if (result === 'FAIL') failed = true;
}

function info(backend) {
  const r = run(['tsx', 'main/cli/index.ts', 'info', '--json'], { DUET_BACKEND: backend });
  if (r.code !== 0) {
    row('duet info', backend, 'FAIL', (r.stderr.trim().split('\n').pop() ?? '').slice(0, 100));
    return undefined;
  }
  const b = JSON.parse(r.stdout).backend;
  const a = b.adapter;
  const device = a
    ? `${a.description} (${a.vendor} ${a.architecture}${a.software ? ', software' : ''}), storage binding ${Math.round(a.maxStorageBufferBindingSize / 2 ** 20)} MiB`
    : `GPU in use: ${b.gpu ? 'yes' : 'no'}`;
  row('duet info', backend, b.gpu ? 'ok' : 'no GPU', device);
  return b;
}

function tests(label, files, env) {
  const out = `test-results/gpu-check-${label.replace(/\W+/g, '-')}.json`;
  const r = run(['vitest', 'run', ...files, '--reporter=json', `--outputFile=${out}`], env);
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    const detail = `${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped`;
    row(
      label,
      env.DUET_TEST_BACKEND ?? 'webgpu vs cpu',
      r.code === 0 && j.numPendingTests === 0 ? 'ok' : 'FAIL',
      detail,
    );
  } catch {
    row(label, env.DUET_TEST_BACKEND ?? 'webgpu vs cpu', 'FAIL', `vitest exited ${r.code}`);
  }
}

function bench(backend, area) {
  const out = `test-results/gpu-check-bench-${backend}.json`;
  const r = run(['tsx', 'main/cli/index.ts', 'bench', '--only', area, '--backend', backend, '--out', out]);
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const a of report.areas) {
      if (a.error) row(`bench ${a.area}`, backend, 'FAIL', a.error.slice(0, 100));
      for (const x of a.rows ?? []) {
        row(
          `bench ${x.name}`,
          backend,
          x.value === null ? 'FAIL' : `${x.value.toFixed(3)} ${x.unit}`,
          (x.note ?? '').slice(0, 80),
        );
      }
    }
  } catch {
    row(`bench ${area}`, backend, 'FAIL', `exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`.slice(0, 100));
  }
}

const webgpu = info('webgpu');
if (webgpu) {
  tests('parity tests', ['tests/models/webgpu-parity.test.ts'], {});
  tests(
    'model tests',
    [
      'tests/models/layers.test.ts',
      'tests/models/trainer.test.ts',
      'tests/models/learning.test.ts',
      'tests/models/memory.test.ts',
      'tests/models/tiling.test.ts',
    ],
    { DUET_TEST_BACKEND: 'webgpu' },
  );
  tests('engine process', ['tests/main/engine/process/webgpu.test.ts'], {});
  bench('webgpu', 'wasm');
}
bench('wasm', 'wasm');
let nodeGpu = false;
try {
  require.resolve('@tensorflow/tfjs-node-gpu');
  nodeGpu = true;
} catch {
  row('tfjs-node-gpu', '—', 'not installed', 'npm install @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1)');
}
if (nodeGpu && info('tfjs-node-gpu')) bench('tfjs-node-gpu', 'training');

const header = ['check', 'backend', 'result', 'detail'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
process.exit(failed ? 1 : 0);
