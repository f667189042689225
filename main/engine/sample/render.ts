/**
 * Renders a sample world twice: as a flat cartographic map (one palette colour per label, road casings,
 * building outlines) and as an aerial photo (textures, roof lighting, shadows, trees, sensor noise).
 * Both are raw RGB buffers, row-major, 3 bytes a pixel. Pure and deterministic for a world.
 */
import { hashInts, Rng } from '../../../models/rng.js';
import { ValueNoise } from './random.js';
import { Casing, Label, type World } from './world.js';

export type Rgb = readonly [number, number, number];

/** The map's palette: flat colours in the spirit of a street map. */
export const MAP_PALETTE = {
  land: [242, 239, 233],
  water: [170, 211, 223],
  park: [200, 250, 204],
  wood: [173, 209, 158],
  field: [238, 240, 213],
  building: [217, 208, 201],
  buildingOutline: [196, 182, 171],
  minorRoad: [255, 255, 255],
  minorCasing: [190, 188, 184],
  majorRoad: [252, 214, 164],
  majorCasing: [214, 160, 104],
} as const satisfies Record<string, Rgb>;

const LABEL_COLOURS: Rgb[] = [
  MAP_PALETTE.land,
  MAP_PALETTE.water,
  MAP_PALETTE.park,
  MAP_PALETTE.wood,
  MAP_PALETTE.field,
  MAP_PALETTE.building,
  MAP_PALETTE.minorRoad,
  MAP_PALETTE.majorRoad,
];

export function renderMap(world: World): Uint8Array {
  const { size, label, casing } = world;
  const out = new Uint8Array(size * size * 3);
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      const l = label[i]!;
      let c: Rgb = LABEL_COLOURS[l]!;
      if (casing[i] === Casing.Major) c = MAP_PALETTE.majorCasing;
      else if (casing[i] === Casing.Minor) c = MAP_PALETTE.minorCasing;
      else if (l === Label.Building) {
        const edge =
          (x > 0 && label[i - 1] !== Label.Building) ||
          (x < size - 1 && label[i + 1] !== Label.Building) ||
          (y > 0 && label[i - size] !== Label.Building) ||
          (y < size - 1 && label[i + size] !== Label.Building);
        if (edge) c = MAP_PALETTE.buildingOutline;
      }
      out[i * 3] = c[0];
      out[i * 3 + 1] = c[1];
      out[i * 3 + 2] = c[2];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Aerial

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

export function renderAerial(world: World): Uint8Array {
  const { size, label, casing, canopy, shore, urban, objectId } = world;
  const k = world.scale;
  const n = size * size;
  const rng = new Rng(hashInts(world.seed, 0xae71a1));
  const coarse = new ValueNoise(hashInts(world.seed, 11));
  const fine = new ValueNoise(hashInts(world.seed, 12));
  const grain = new ValueNoise(hashInts(world.seed, 13));

  // One photo's conditions: exposure, white balance, haze, and where the sun is.
  const exposure = rng.range(0.88, 1.1);
  const tint: Rgb = [rng.range(0.94, 1.06), rng.range(0.95, 1.05), rng.range(0.92, 1.06)];
  const haze = rng.range(0, 0.12);
  const sun = rng.range(0, Math.PI * 2);
  const sdx = Math.cos(sun);
  const sdy = Math.sin(sun);
  const sigma = rng.range(2.5, 5.5);

  const rgb = new Float32Array(n * 3);
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      const fx = x / k;
      const fy = y / k;
      const cn = coarse.fbm(fx / 40, fy / 40, 3);
      const fn = fine.fbm(fx / 6, fy / 6, 2);
      const l = label[i]!;
      let c: [number, number, number];
      switch (l) {
        case Label.Water: {
          const deep: Rgb = [38, 66, 82];
          const shallow: Rgb = [72, 108, 112];
          c = mix(deep, shallow, clamp01(1 - shore[i]! / (10 * k)) * 0.8 + 0.15 * cn);
          const ripple = 5 * grain.sample(fx / 1.5, fy / 4);
          c = [c[0] + ripple, c[1] + ripple, c[2] + ripple];
          break;
        }
        case Label.Park: {
          const stripe = 5 * Math.sign(Math.sin((fx * Math.cos(0.3) + fy * Math.sin(0.3)) / 5));
          c = mix([92, 132, 62], [118, 150, 74], clamp01(0.5 + cn));
          c = [c[0] + stripe, c[1] + stripe, c[2] + stripe * 0.5];
          break;
        }
        case Label.Wood:
          c = mix([42, 62, 34], [64, 84, 44], clamp01(0.5 + fn));
          break;
        case Label.Field: {
          const f = world.fields[objectId[i]! - 1];
          const crop: Rgb = f?.crop ?? [150, 150, 90];
          const rows = f ? Math.sin(((x * Math.cos(f.rows) + y * Math.sin(f.rows)) / f.spacing) * Math.PI * 2) : 0;
          const shade = 1 + 0.07 * rows + 0.08 * cn;
          c = [crop[0] * shade, crop[1] * shade, crop[2] * shade];
          break;
        }
        case Label.Building:
          c = roofColour(world, i, x, y, sdx, sdy, k);
          break;
        case Label.MinorRoad:
        case Label.MajorRoad: {
          const base = l === Label.MajorRoad ? 84 : 104;
          const v = base + 8 * fn + 5 * cn;
          c = world.marking[i] ? [222, 214, 182] : [v, v + 1, v + 4];
          break;
        }
        default: {
          // Open ground: lawns and bare earth in the countryside, more paving the more built-up.
          const u = urban[i]!;
          const grassShare = clamp01(0.75 - 0.55 * u + 0.6 * cn);
          const bare: Rgb = u > 0.45 ? [156, 150, 140] : [146, 132, 100];
          const grass: Rgb = u > 0.45 ? [98, 124, 72] : [108, 128, 66];
          c = mix(bare, grass, grassShare);
          c = [c[0] + 6 * fn, c[1] + 6 * fn, c[2] + 5 * fn];
          const s = shore[i]!;
          if (s <= Math.max(1, 4 * k)) c = world.beach ? [206, 194, 160] : mix(c, [72, 84, 60], 0.5);
        }
      }
      if (casing[i] !== Casing.None) {
        // Pavement in town, a gravel shoulder in the country.
        const kerb: Rgb = urban[i]! > 0.4 ? [176, 172, 164] : [150, 138, 112];
        c = mix(c, kerb, 0.75);
      }
      const cov = canopy[i]!;
      if (cov > 0) {
        // A domed crown: brighter towards the sun.
        const tree: Rgb = mix([40, 68, 32], [70, 98, 46], clamp01(0.5 + fn));
        const lit = 0.8 + 0.4 * cov;
        c = mix(c, [tree[0] * lit, tree[1] * lit, tree[2] * lit], clamp01(cov * 3));
      }
      rgb[i * 3] = c[0];
      rgb[i * 3 + 1] = c[1];
      rgb[i * 3 + 2] = c[2];
    }
  }

  applyShadows(world, rgb, sdx, sdy, k);

  // Photo finish: soften (optics), light falloff, haze, white balance, sensor noise.
  const out = new Uint8Array(n * 3);
  const hazeColour: Rgb = [190, 196, 204];
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      const light = exposure * (1 + 0.07 * coarse.sample(x / (90 * k) + 50, y / (90 * k) + 50));
      for (let ch = 0; ch < 3; ch++) {
        let sum = 0;
        let w = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= size) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= size) continue;
            const wt = dx === 0 && dy === 0 ? 4 : dx === 0 || dy === 0 ? 1 : 0.5;
            sum += rgb[(yy * size + xx) * 3 + ch]! * wt;
            w += wt;
          }
        }
        let v = (sum / w) * light * tint[ch]!;
        v = v * (1 - haze) + hazeColour[ch]! * haze;
        v += rng.roughNormal() * sigma;
        out[i * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
  return out;
}

function roofColour(world: World, i: number, x: number, y: number, sdx: number, sdy: number, k: number) {
  const b = world.buildings[world.objectId[i]! - 1];
  if (!b) return [128, 128, 128] as [number, number, number];
  const px = x + 0.5 - b.cx;
  const py = y + 0.5 - b.cy;
  // Building frame: u along its width, v along its depth.
  const u = px * Math.cos(b.angle) + py * Math.sin(b.angle);
  const v = -px * Math.sin(b.angle) + py * Math.cos(b.angle);
  let shade = 1;
  if (b.style === 'flat') {
    const border = Math.min(b.hw - Math.abs(u), b.hh - Math.abs(v));
    shade = border < Math.max(1, 1.5 * k) ? 1.12 : 0.97;
  } else {
    // Pitched roofs: each facet's normal leans away from the ridge; light it by the sun's direction.
    let nx: number;
    let ny: number;
    const alongU = b.hw >= b.hh;
    const du = b.hw - Math.abs(u);
    const dv = b.hh - Math.abs(v);
    if (b.style === 'gable') {
      if (alongU) [nx, ny] = [0, Math.sign(v) || 1];
      else [nx, ny] = [Math.sign(u) || 1, 0];
    } else if (du < dv) [nx, ny] = [Math.sign(u) || 1, 0];
    else [nx, ny] = [0, Math.sign(v) || 1];
    // Back to pixel directions.
    const wx = nx * Math.cos(b.angle) - ny * Math.sin(b.angle);
    const wy = nx * Math.sin(b.angle) + ny * Math.cos(b.angle);
    shade = 1 - 0.22 * (wx * sdx + wy * sdy);
  }
  return [b.roof[0] * shade, b.roof[1] * shade, b.roof[2] * shade] as [number, number, number];
}

/** Darkens ground that a building or tree hides from the sun (shadows fall away from it). */
function applyShadows(world: World, rgb: Float32Array, sdx: number, sdy: number, k: number): void {
  const { size, label, height, canopy } = world;
  const treeReach = Math.max(1, Math.round(3 * k));
  for (let y = 0, i = 0; y < size; y++) {
    for (let x = 0; x < size; x++, i++) {
      if (label[i] === Label.Building) continue;
      let shadow = false;
      // Walk towards the sun: a building taller than the distance walked shades this pixel.
      for (let t = 1; t <= 12 && !shadow; t++) {
        const qx = Math.round(x + sdx * t);
        const qy = Math.round(y + sdy * t);
        if (qx < 0 || qy < 0 || qx >= size || qy >= size) break;
        const q = qy * size + qx;
        if (label[q] === Label.Building && height[q]! >= t) shadow = true;
        else if (t <= treeReach && canopy[q]! > 0.35 && canopy[q]! > canopy[i]! + 0.2) shadow = true;
      }
      if (shadow) {
        rgb[i * 3] = rgb[i * 3]! * 0.52;
        rgb[i * 3 + 1] = rgb[i * 3 + 1]! * 0.55;
        rgb[i * 3 + 2] = rgb[i * 3 + 2]! * 0.62;
      }
    }
  }
}
