/**
 * Translation bench: throughput at 256² and 1024² (images/s through the whole job: decode, translate,
 * encode PNG) and one 4096² image (seconds and peak resident memory, tiled).
 *
 * The 4096² case runs in a child process so its peak RSS is its own, not the bench process's history.
 * The generator defaults to the quick preset's `tiny` ResNet: on CPU backends the reference generator
 * needs hours for a 4096² image (pass `generator` to measure another).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { TranslateRequestSchema } from '#contract';
import { buildGenerator, type GeneratorName, generatorMultiple, TINY_MAX_FILTERS } from '../../models/index.js';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { translateImages } from '../engine/translate/job.js';
import { translatorFromModel } from '../engine/translate/translator.js';
import { duetRoot } from '../paths.js';

const exec = promisify(execFile);

export interface TranslateBenchOptions {
  generator?: GeneratorName;
  /** Images per throughput size. */
  count256?: number;
  count1024?: number;
  /** Side of the large image (4096 by default). */
  largeSide?: number;
  /** Tile side for the large image (default: the job's memory-budget choice). */
  tile?: number;
  /** Run the large image in this process instead of a child (peak RSS then includes the bench's own). */
  inProcess?: boolean;
  log?: (line: string) => void;
}

export interface TranslateBenchRow {
  name: string;
  value: number | null;
  unit: string;
  note?: string;
}

export interface LargeImageResult {
  seconds: number;
  peakRssMiB: number;
  tiles: number;
  isolated: boolean;
}

/** An aerial-looking test image: smooth gradients plus fine noise (so PNG sizes are realistic). */
async function writeTestImage(file: string, side: number, seed: number): Promise<void> {
  const raw = Buffer.alloc(side * side * 3);
  let s = seed >>> 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const n = (s >>> 28) - 8;
      const o = (y * side + x) * 3;
      raw[o] = ((x * 255) / side + n) & 0xff;
      raw[o + 1] = ((y * 255) / side + n) & 0xff;
      raw[o + 2] = (((x + y) * 127) / side + n) & 0xff;
    }
  }
  await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(file);
}

async function runJob(generator: GeneratorName, inDir: string, outDir: string, tile?: number) {
  const model = buildGenerator(generator, { seed: 1 });
  const ngf = generator === 'tiny' ? TINY_MAX_FILTERS : 64;
  const translator = translatorFromModel(model, { multiple: generatorMultiple(generator), ngf });
  try {
    const t0 = performance.now();
    const report = await translateImages({
      request: TranslateRequestSchema.parse({ modelId: 'bench', inputs: [inDir], outDir, overwrite: true, tile }),
      translator,
      modelLabel: 'bench',
      outDirChosen: true,
    });
    if (report.failed.length) throw new Error(`bench images failed: ${report.failed.map((f) => f.reason).join('; ')}`);
    return { seconds: (performance.now() - t0) / 1000, report };
  } finally {
    translator.dispose();
  }
}

/** The large-image measurement itself (what the child process runs). */
export async function measureLargeImage(
  generator: GeneratorName,
  dir: string,
  tile: number | undefined,
): Promise<Omit<LargeImageResult, 'isolated'>> {
  const { seconds, report } = await runJob(generator, path.join(dir, 'large'), path.join(dir, 'large-out'), tile);
  return {
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    tiles: report.translated[0]?.tiles ?? 0,
  };
}

async function largeInChild(
  generator: GeneratorName,
  dir: string,
  tile: number | undefined,
): Promise<LargeImageResult> {
  // The large-image child always runs from the sources (a bundle has no entry of its own for it).
  const self = path.join(duetRoot(), 'main', 'bench', 'translate.ts');
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', self, '--large-child', JSON.stringify({ generator, dir, tile })],
    { env: { ...process.env, DUET_BACKEND: process.env.DUET_BACKEND ?? tf.getBackend() }, maxBuffer: 1 << 20 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(line) as Omit<LargeImageResult, 'isolated'>), isolated: true };
}

export async function benchTranslate(options: TranslateBenchOptions = {}): Promise<{
  generator: GeneratorName;
  backend: string;
  rows: TranslateBenchRow[];
  large: LargeImageResult;
}> {
  const log = options.log ?? (() => {});
  const generator = options.generator ?? 'tiny';
  const largeSide = options.largeSide ?? 4096;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-bench-translate-'));
  try {
    const rows: TranslateBenchRow[] = [];
    for (const [side, count] of [
      [256, options.count256 ?? 8],
      [1024, options.count1024 ?? 2],
    ] as const) {
      const inDir = path.join(dir, `in-${side}`);
      await fs.mkdir(inDir, { recursive: true });
      for (let i = 0; i < count; i++) await writeTestImage(path.join(inDir, `${i}.png`), side, i + 1);
      log(`translate bench: ${count} × ${side}² with ${generator}`);
      const { seconds } = await runJob(generator, inDir, path.join(dir, `out-${side}`));
      rows.push({
        name: `${side}² images (${generator})`,
        value: count / seconds,
        unit: 'images/s',
        note: `${count} PNG, decode+translate+encode`,
      });
    }
    await fs.mkdir(path.join(dir, 'large'), { recursive: true });
    await writeTestImage(path.join(dir, 'large', 'aerial.png'), largeSide, 7);
    log(`translate bench: one ${largeSide}² image with ${generator}${options.inProcess ? '' : ' (child process)'}`);
    let large: LargeImageResult;
    if (options.inProcess) {
      large = { ...(await measureLargeImage(generator, dir, options.tile)), isolated: false };
    } else {
      large = await largeInChild(generator, dir, options.tile);
    }
    rows.push({
      name: `one ${largeSide}² image (${generator})`,
      value: large.seconds,
      unit: 's',
      note: `${large.tiles} tile(s)`,
    });
    rows.push({
      name: `peak RSS, ${largeSide}² image`,
      value: large.peakRssMiB,
      unit: 'MiB',
      note: large.isolated ? 'whole process running only this job' : 'includes the bench process',
    });
    return { generator, backend: tf.getBackend(), rows, large };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The bench harness's view of this area (structurally a BenchArea of main/bench/index.ts). */
export const translateBenchArea = {
  area: 'translate',
  description: 'translation throughput at 256² and 1024², one 4096² image (seconds, peak RSS)',
  async run(ctx: { log: (line: string) => void }) {
    const result = await benchTranslate({ log: ctx.log });
    return { rows: result.rows.map((r) => ({ area: 'translate', ...r })), details: result };
  },
};

// Child mode: `node --import tsx main/bench/translate.ts --large-child '{"generator":…}'`.
if (process.argv[2] === '--large-child') {
  const args = JSON.parse(process.argv[3] ?? '{}') as { generator: GeneratorName; dir: string; tile?: number };
  const backend = await selectBackend();
  process.stderr.write(`large-image child on ${describeBackend(backend)}\n`);
  const result = await measureLargeImage(args.generator, args.dir, args.tile);
  // Exit once the line is out: the threaded wasm backend's worker pool would keep the process alive.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
