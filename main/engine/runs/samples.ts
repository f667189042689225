/**
 * Sample grids: rows of images side by side (real → translated → reconstructed, one row per direction),
 * as a PNG. The grid layout is pure; sharp only encodes.
 */
import sharp from 'sharp';

/** One image in [-1, 1], height × width × channels (1 or 3), row-major. */
export interface SampleImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

export interface GridPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** [-1, 1] → 0..255, as the reference's tensor2im: (x + 1) / 2 · 255, clamped. */
export function toByte(x: number): number {
  const v = Math.round(((x + 1) / 2) * 255);
  return v < 0 ? 0 : v > 255 ? 255 : Number.isNaN(v) ? 0 : v;
}

/** Lay images out in rows (RGB, `gap` px of mid-grey between cells). Rows may differ in length. */
export function composeGrid(rows: SampleImage[][], gap = 2): GridPixels {
  if (rows.length === 0 || rows.every((r) => r.length === 0)) throw new Error('A sample grid needs at least one image');
  const cellH = Math.max(...rows.flat().map((c) => c.height));
  const cellW = Math.max(...rows.flat().map((c) => c.width));
  const cols = Math.max(...rows.map((r) => r.length));
  const width = cols * cellW + (cols - 1) * gap;
  const height = rows.length * cellH + (rows.length - 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(128);
  rows.forEach((row, r) => {
    row.forEach((cell, c) => {
      if (cell.channels !== 1 && cell.channels !== 3) {
        throw new Error(`Sample images need 1 or 3 channels (got ${cell.channels})`);
      }
      if (cell.data.length !== cell.height * cell.width * cell.channels) {
        throw new Error(
          `Sample image data has ${cell.data.length} values for ${cell.height}×${cell.width}×${cell.channels}`,
        );
      }
      const x0 = c * (cellW + gap);
      const y0 = r * (cellH + gap);
      for (let y = 0; y < cell.height; y++) {
        for (let x = 0; x < cell.width; x++) {
          const src = (y * cell.width + x) * cell.channels;
          const dst = ((y0 + y) * width + x0 + x) * 3;
          for (let k = 0; k < 3; k++) data[dst + k] = toByte(cell.data[src + (cell.channels === 1 ? 0 : k)]!);
        }
      }
    });
  });
  return { data, width, height };
}

export async function encodeGridPng(rows: SampleImage[][], gap = 2): Promise<Buffer> {
  const grid = composeGrid(rows, gap);
  return sharp(Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength), {
    raw: { width: grid.width, height: grid.height, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
