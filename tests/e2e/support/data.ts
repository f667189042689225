/** Small generated image folders for the specs: 32 px tiles, paired by name, plus files Duet must skip. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const SIZE = 32;

/** A 32×32 "aerial" tile (green with brown blocks) or "map" tile (beige with white roads), seeded. */
async function tile(kind: 'aerial' | 'map', seed: number): Promise<Buffer> {
  const px = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const road = (x + seed * 3) % 11 === 0 || (y + seed * 5) % 13 === 0;
      const block = ((x >> 3) + (y >> 3) + seed) % 3 === 0;
      const i = (y * SIZE + x) * 3;
      const [r, g, b] =
        kind === 'aerial'
          ? road
            ? [120, 120, 110]
            : block
              ? [110, 80, 60]
              : [60 + ((x * seed) % 30), 110 + ((y * 7) % 40), 50]
          : road
            ? [255, 255, 255]
            : block
              ? [242, 218, 160]
              : [236, 231, 220];
      px[i] = r as number;
      px[i + 1] = g as number;
      px[i + 2] = b as number;
    }
  }
  return sharp(px, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toBuffer();
}

export interface GeneratedData {
  aerial: string;
  map: string;
  /** Held-out aerial tiles to translate. */
  test: string;
  /** A folder with no image in it. */
  empty: string;
  names: string[];
}

export async function generateData(root: string, count = 8): Promise<GeneratedData> {
  const dirs = {
    aerial: join(root, 'aerial'),
    map: join(root, 'map'),
    test: join(root, 'test-aerial'),
    empty: join(root, 'notes'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `tile_${String(i + 1).padStart(3, '0')}.png`;
    names.push(name);
    writeFileSync(join(dirs.aerial, name), await tile('aerial', i + 1));
    writeFileSync(join(dirs.map, name), await tile('map', i + 1));
  }
  for (let i = 0; i < 3; i++) writeFileSync(join(dirs.test, `field_${i + 1}.png`), await tile('aerial', 40 + i));
  writeFileSync(join(dirs.aerial, 'notes.txt'), 'survey notes, not an image\n');
  writeFileSync(join(dirs.empty, 'readme.txt'), 'nothing to see\n');
  return { ...dirs, names };
}

export interface GeneratedLayouts {
  /** The reference's unaligned layout: trainA/ trainB/ testA/ testB/ in one folder. */
  reference: string;
  /** One folder of A|B side-by-side images (aerial on the left, its map on the right). */
  sideBySide: string;
  /** A plain folder of map tiles: one domain. */
  maps: string;
  trainCount: number;
}

/** The two one-folder layouts Duet reads, and a plain folder, generated at test time. */
export async function generateLayouts(root: string, count = 8): Promise<GeneratedLayouts> {
  const out = {
    reference: join(root, 'maps-dataset'),
    sideBySide: join(root, 'aerial-map-pairs'),
    maps: join(root, 'more-maps'),
  };
  for (const d of ['trainA', 'trainB', 'testA', 'testB']) mkdirSync(join(out.reference, d), { recursive: true });
  mkdirSync(out.sideBySide, { recursive: true });
  mkdirSync(out.maps, { recursive: true });
  for (let i = 0; i < count; i++) {
    const name = `${String(i + 1).padStart(3, '0')}.png`;
    const [aerial, map] = [await tile('aerial', i + 1), await tile('map', i + 1)];
    writeFileSync(join(out.reference, 'trainA', name), aerial);
    writeFileSync(join(out.reference, 'trainB', name), map);
    writeFileSync(join(out.maps, `m${name}`), await tile('map', i + 20));
    const pair = await sharp({ create: { width: SIZE * 2, height: SIZE, channels: 3, background: '#000' } })
      .composite([
        { input: aerial, left: 0, top: 0 },
        { input: map, left: SIZE, top: 0 },
      ])
      .png()
      .toBuffer();
    writeFileSync(join(out.sideBySide, name), pair);
  }
  for (let i = 0; i < 2; i++) {
    const name = `t${i + 1}.png`;
    writeFileSync(join(out.reference, 'testA', name), await tile('aerial', 50 + i));
    writeFileSync(join(out.reference, 'testB', name), await tile('map', 50 + i));
  }
  return { ...out, trainCount: count };
}
