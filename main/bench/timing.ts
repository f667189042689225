/**
 * Responsiveness: how long the things a user waits on in the window take, measured here rather than
 * asserted in tests (a test on a shared machine can only say what happens, not how fast):
 * refusing a decompression bomb from its header, scanning a folder, drawing one sample tile, and
 * preparing the loss chart's data for 100,000 logged iterations.
 *
 * Each figure is the median of several repeats, with the spread in the note.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decimate, smooth } from '../../renderer/src/lib/chartData.js';
import { LossStore, mergeHistory } from '../../renderer/src/lib/lossStore.js';
import { probeImage, scanDomain } from '../engine/dataset/index.js';
import { generatePair } from '../engine/sample/generate.js';
import type { BenchArea, BenchRow } from './index.js';

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid-looking PNG whose header claims width×height: a decompression bomb in a few bytes. */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Milliseconds of each repeat, after one warm-up call. */
async function timeRepeats(repeats: number, fn: (i: number) => unknown): Promise<number[]> {
  await fn(0);
  const ms: number[] = [];
  for (let i = 1; i <= repeats; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

function medianRow(name: string, ms: number[], note = ''): BenchRow {
  const s = [...ms].sort((a, b) => a - b);
  const spread = `${s.length} runs, ${s[0]!.toFixed(1)}–${s[s.length - 1]!.toFixed(1)} ms`;
  return {
    area: 'responsiveness',
    name,
    value: s[s.length >> 1]!,
    unit: 'ms',
    note: note ? `${note}; ${spread}` : spread,
  };
}

/** Losses of one logged iteration, CycleGAN's eight names. */
function lossRow(i: number): { iteration: number; losses: Record<string, number> } {
  const names = ['G_A', 'G_B', 'cycle_A', 'cycle_B', 'idt_A', 'idt_B', 'D_A', 'D_B'];
  const losses: Record<string, number> = {};
  names.forEach((n, k) => {
    losses[n] = 1 + Math.sin(i * 0.37 + k) * 0.1 + Math.exp(-i / 4000);
  });
  return { iteration: i, losses };
}

export interface TimingBenchOptions {
  /** Images in the scanned folder. */
  scanImages?: number;
  /** Logged iterations behind the chart. */
  chartPoints?: number;
  repeats?: number;
}

export async function benchTiming(options: TimingBenchOptions = {}): Promise<BenchRow[]> {
  const scanImages = options.scanImages ?? 200;
  const chartPoints = options.chartPoints ?? 100_000;
  const repeats = options.repeats ?? 5;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-bench-timing-'));
  try {
    const rows: BenchRow[] = [];

    const bomb = path.join(root, 'bomb.png');
    await fs.writeFile(bomb, bombPng(30000, 30000));
    const size = (await fs.stat(bomb)).size;
    const bombMs = await timeRepeats(repeats, async () => {
      const r = await probeImage(bomb, size);
      if (r.ok) throw new Error('the 30000×30000 PNG bomb was accepted');
    });
    rows.push(medianRow('refuse a 30000×30000 PNG bomb', bombMs, 'from its header, nothing decoded'));

    const folder = path.join(root, 'scan');
    await fs.mkdir(folder);
    for (let i = 0; i < scanImages; i++) {
      const raw = Buffer.alloc(64 * 64 * 3, (i * 37) % 256);
      await sharp(raw, { raw: { width: 64, height: 64, channels: 3 } })
        .png()
        .toFile(path.join(folder, `${String(i).padStart(4, '0')}.png`));
    }
    const scanMs = await timeRepeats(repeats, async () => {
      const scan = await scanDomain(folder);
      if (scan.images.length !== scanImages) throw new Error(`scan found ${scan.images.length} of ${scanImages}`);
    });
    rows.push(medianRow(`scan a folder of ${scanImages} PNGs (64 px)`, scanMs, 'walk, sniff, probe headers'));

    const pairMs = await timeRepeats(repeats, (i) => generatePair(256, i));
    rows.push(medianRow('sample pair 256 px', pairMs, 'world, aerial photo and map, in memory'));

    const history = Array.from({ length: chartPoints }, (_, i) => lossRow(i + 1));
    const chartMs = await timeRepeats(Math.min(repeats, 3), () => {
      const store = new LossStore();
      mergeHistory(store, history);
      const ys = [...store.series.values()].map((column) => smooth(column, 0.6));
      decimate(store.x, ys, 1200);
    });
    rows.push(
      medianRow(
        `loss chart data, ${chartPoints.toLocaleString('en')} iterations × 8 losses`,
        chartMs,
        'history load, smoothing, decimation to 1,200 columns; the canvas draw itself is not measured',
      ),
    );
    return rows;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

export const timingBenchArea: BenchArea = {
  area: 'responsiveness',
  description: 'milliseconds a user waits on: refusing a PNG bomb, scanning a folder, a sample tile, the loss chart',
  async run() {
    const rows = await benchTiming();
    return { rows };
  },
};
