/**
 * The sample world: one random place as a semantic label map plus the few extra layers the aerial
 * renderer needs (building heights, tree canopy, lane markings, distance to the shore). The map and the
 * aerial photo are both rendered from this one description, so every pair lines up by construction.
 *
 * Pure: no I/O. Geometry is laid out in "world units" (a 256 px tile is 256 units), so a tile of any
 * size shows the same kind of place; widths have a floor in pixels so small tiles keep visible roads.
 */
import { hashInts, Rng } from '../../../models/rng.js';
import { ValueNoise } from './random.js';

/** What a pixel is. The map renders each as one flat colour; the aerial as a texture. */
export const Label = {
  Land: 0,
  Water: 1,
  Park: 2,
  Wood: 3,
  Field: 4,
  Building: 5,
  MinorRoad: 6,
  MajorRoad: 7,
} as const;
export type LabelValue = (typeof Label)[keyof typeof Label];
export const LABEL_NAMES = ['land', 'water', 'park', 'wood', 'field', 'building', 'minor road', 'major road'] as const;

/** Road casing beside a road (map: a darker edge; aerial: kerb, pavement or shoulder). */
export const Casing = { None: 0, Minor: 1, Major: 2 } as const;

export type RoofStyle = 'gable' | 'hip' | 'flat';

export interface Building {
  /** Roof colour before lighting. */
  roof: [number, number, number];
  style: RoofStyle;
  /** Ridge direction for pitched roofs, in radians (the building's long axis). */
  ridge: number;
  /** Centre and half extents in pixels, and the rotation of the building frame. */
  cx: number;
  cy: number;
  hw: number;
  hh: number;
  angle: number;
}

export interface Field {
  crop: [number, number, number];
  /** Direction of the plough rows. */
  rows: number;
  /** Row spacing in pixels. */
  spacing: number;
}

export interface World {
  size: number;
  seed: number;
  /** Pixels per world unit. */
  scale: number;
  label: Uint8Array;
  casing: Uint8Array;
  /** 1 where a lane marking is painted on a major road (aerial only). */
  marking: Uint8Array;
  /** Building or field index + 1 (0: none). */
  objectId: Uint16Array;
  /** Building height in pixels (casts the aerial's shadows). */
  height: Uint8Array;
  /** Tree canopy cover 0..1 (aerial only: on the map a tree is whatever it stands on). */
  canopy: Float32Array;
  /** Distance to water in pixels, capped at 255 (beaches, wet edges). */
  shore: Uint8Array;
  /** How built-up each pixel's neighbourhood is, 0 (countryside) .. 1 (city centre). */
  urban: Float32Array;
  buildings: Building[];
  fields: Field[];
  /** Whether shores are sandy beaches (else grassy banks). */
  beach: boolean;
}

interface Segment {
  ax: number;
  ay: number;
  bx: number;
  by: number;
  /** Half width in pixels. */
  hw: number;
  major: boolean;
  /** Arc length at `a`, for dashed markings. */
  s0: number;
}

type BlockKind = 'city' | 'houses' | 'park' | 'field' | 'wood' | 'land';

const ROOFS: [number, number, number][] = [
  [150, 78, 60], // terracotta
  [170, 96, 72],
  [112, 112, 118], // slate grey
  [86, 88, 96],
  [196, 190, 180], // pale concrete
  [150, 146, 140],
  [92, 70, 62], // dark brown shingle
  [120, 130, 140], // blue-grey metal
];
const CROPS: [number, number, number][] = [
  [112, 140, 62], // young wheat
  [150, 160, 80],
  [196, 176, 110], // ripe grain
  [140, 110, 78], // ploughed soil
  [96, 124, 58], // pasture
  [176, 170, 96],
];

export interface WorldOptions {
  /**
   * Pixels per world unit (default 1: a fixed ground resolution, so a smaller tile shows a smaller area
   * with roads and roofs the same size in pixels, as a crop of a larger map would).
   */
  scale?: number;
}

export function generateWorld(size: number, seed: number, options: WorldOptions = {}): World {
  if (!Number.isInteger(size) || size < 16 || size > 4096) {
    throw new Error(`Sample tile size must be an integer from 16 to 4096 px (got ${size})`);
  }
  const k = options.scale ?? 1;
  if (!(k >= 0.125 && k <= 16)) throw new Error(`Sample scale must be from 0.125 to 16 px per unit (got ${k})`);
  const n = size * size;
  const rng = new Rng(hashInts(seed, 0x5a4d));
  const world: World = {
    size,
    seed,
    scale: k,
    label: new Uint8Array(n),
    casing: new Uint8Array(n),
    marking: new Uint8Array(n),
    objectId: new Uint16Array(n),
    height: new Uint8Array(n),
    canopy: new Float32Array(n),
    shore: new Uint8Array(n).fill(255),
    urban: new Float32Array(n),
    buildings: [],
    fields: [],
    beach: rng.chance(0.4),
  };

  // How built-up the place is: a slow noise field plus a tile-wide bias, so tiles range from city
  // centre to countryside and many hold both.
  const urbanNoise = new ValueNoise(hashInts(seed, 1));
  const urbanBias = rng.range(-0.35, 0.55);
  const urbanAt = (x: number, y: number) => {
    const v = urbanBias + 0.9 * urbanNoise.fbm(x / (180 * k), y / (180 * k), 2);
    return Math.min(1, Math.max(0, 0.5 + v));
  };
  for (let y = 0, i = 0; y < size; y++) for (let x = 0; x < size; x++, i++) world.urban[i] = urbanAt(x + 0.5, y + 0.5);

  placeWater(world, rng.fork(2), k);
  const grid = layOutGrid(rng.fork(3), size, k);
  fillBlocks(world, grid, rng.fork(4), k);
  const segments = layOutRoads(world, grid, rng.fork(5), k);
  drawRoads(world, segments, k);
  placeBuildings(world, grid, rng.fork(6), k);
  plantTrees(world, grid, rng.fork(7), k);
  measureShore(world);
  return world;
}

// ---------------------------------------------------------------------------------------------------
// Water: a river (a wide curved band) or a lake/coast (a noise shape pushed in from one side).

function placeWater(world: World, rng: Rng, k: number): void {
  const { size, label } = world;
  const roll = rng.next();
  if (roll < 0.12) {
    const hw = Math.max(3, rng.range(10, 26) * k);
    const curve = randomCurve(rng, size);
    const edge = new Float32Array(size * size).fill(Number.POSITIVE_INFINITY);
    for (const s of polylineSegments(curve, hw, false)) rasterSegment(edge, size, s, () => {});
    for (let i = 0; i < edge.length; i++) if (edge[i]! < 0) label[i] = Label.Water;
  } else if (roll < 0.3) {
    const noise = new ValueNoise(rng.int(0, 2 ** 30));
    const dir = rng.range(0, Math.PI * 2);
    const dx = Math.cos(dir);
    const dy = Math.sin(dir);
    const reach = rng.range(0.12, 0.4);
    for (let y = 0, i = 0; y < size; y++) {
      for (let x = 0; x < size; x++, i++) {
        // Signed distance from the tile centre along `dir`, in tile widths: water beyond `1 - reach`.
        const along = ((x - size / 2) * dx + (y - size / 2) * dy) / size + 0.5;
        const wobble = 0.12 * noise.fbm((x / size) * 3, (y / size) * 3, 3);
        if (along + wobble > 1 - reach) label[i] = Label.Water;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The street grid: a (possibly rotated) lattice of lines; its cells are the city blocks.

interface Grid {
  angle: number;
  cos: number;
  sin: number;
  cx: number;
  cy: number;
  su: number;
  sv: number;
  u0: number;
  v0: number;
  /** Cell index range covering the tile. */
  iMin: number;
  iMax: number;
  jMin: number;
  jMax: number;
  /** Which grid lines are major roads. */
  majorU: Set<number>;
  majorV: Set<number>;
  kinds: Map<number, BlockKind>;
}

function layOutGrid(rng: Rng, size: number, k: number): Grid {
  const angle = rng.chance(0.45) ? 0 : rng.range(-0.7, 0.7);
  const su = rng.range(56, 104) * k;
  const sv = rng.range(44, 84) * k;
  const half = (size * Math.SQRT2) / 2 + Math.max(su, sv);
  const grid: Grid = {
    angle,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    cx: size / 2,
    cy: size / 2,
    su,
    sv,
    u0: rng.range(0, su),
    v0: rng.range(0, sv),
    iMin: Math.floor(-half / su) - 1,
    iMax: Math.ceil(half / su) + 1,
    jMin: Math.floor(-half / sv) - 1,
    jMax: Math.ceil(half / sv) + 1,
    majorU: new Set(),
    majorV: new Set(),
    kinds: new Map(),
  };
  for (let i = grid.iMin; i <= grid.iMax; i++) if (rng.chance(0.22)) grid.majorU.add(i);
  for (let j = grid.jMin; j <= grid.jMax; j++) if (rng.chance(0.22)) grid.majorV.add(j);
  return grid;
}

/** Block cells are keyed by one number: indices stay far inside ±2048 for tiles up to 4096 px. */
function blockKey(i: number, j: number): number {
  return (i + 2048) * 4096 + (j + 2048);
}

function toLocal(g: Grid, x: number, y: number): [number, number] {
  const dx = x - g.cx;
  const dy = y - g.cy;
  return [dx * g.cos + dy * g.sin, -dx * g.sin + dy * g.cos];
}

function toPixel(g: Grid, u: number, v: number): [number, number] {
  return [g.cx + u * g.cos - v * g.sin, g.cy + u * g.sin + v * g.cos];
}

function cellOf(g: Grid, u: number, v: number): [number, number] {
  return [Math.floor((u - g.u0) / g.su), Math.floor((v - g.v0) / g.sv)];
}

function blockKind(rng: Rng, urban: number): BlockKind {
  const r = rng.next();
  if (urban > 0.62) return r < 0.1 ? 'park' : 'city';
  if (urban > 0.38) return r < 0.12 ? 'park' : r < 0.2 ? 'land' : 'houses';
  if (urban > 0.22) return r < 0.45 ? 'houses' : r < 0.75 ? 'field' : r < 0.88 ? 'wood' : 'land';
  return r < 0.6 ? 'field' : r < 0.82 ? 'wood' : 'land';
}

function fillBlocks(world: World, g: Grid, rng: Rng, k: number): void {
  const { size, label } = world;
  // Decide every block's kind from how urban its centre is.
  for (let i = g.iMin; i <= g.iMax; i++) {
    for (let j = g.jMin; j <= g.jMax; j++) {
      const [px, py] = toPixel(g, g.u0 + (i + 0.5) * g.su, g.v0 + (j + 0.5) * g.sv);
      const cx = Math.min(size - 1, Math.max(0, Math.round(px)));
      const cy = Math.min(size - 1, Math.max(0, Math.round(py)));
      g.kinds.set(blockKey(i, j), blockKind(rng, world.urban[cy * size + cx]!));
    }
  }
  // Fields: each field block is cut into strips, each its own crop.
  const fieldIndex = new Map<number, number>();
  for (let y = 0, p = 0; y < size; y++) {
    for (let x = 0; x < size; x++, p++) {
      if (label[p] === Label.Water) continue;
      const [u, v] = toLocal(g, x + 0.5, y + 0.5);
      const [i, j] = cellOf(g, u, v);
      const kind = g.kinds.get(blockKey(i, j));
      if (kind === 'park') label[p] = Label.Park;
      else if (kind === 'wood') label[p] = Label.Wood;
      else if (kind === 'field') {
        const strips = 1 + (hashInts(world.seed, i, j) % 3);
        const t = (u - g.u0 - i * g.su) / g.su;
        const strip = Math.min(strips - 1, Math.floor(t * strips));
        // A thin hedge of plain land between strips, as field boundaries are in real maps.
        const edgeDist = Math.abs(t * strips - Math.round(t * strips)) * (g.su / strips);
        if (edgeDist < 1.5 * k && Math.round(t * strips) > 0 && Math.round(t * strips) < strips) continue;
        const key = blockKey(i, j) * 4 + strip;
        let id = fieldIndex.get(key);
        if (id === undefined) {
          const fr = new Rng(hashInts(world.seed, i, j, strip, 77));
          world.fields.push({
            crop: fr.pick(CROPS),
            rows: g.angle + (fr.chance(0.5) ? 0 : Math.PI / 2),
            spacing: Math.max(2, fr.range(3, 6) * k),
          });
          id = world.fields.length;
          fieldIndex.set(key, id);
        }
        label[p] = Label.Field;
        world.objectId[p] = id;
      }
    }
  }
  void rng;
}

// ---------------------------------------------------------------------------------------------------
// Roads

function randomCurve(rng: Rng, size: number): [number, number][] {
  // A cubic Bézier from one side of the tile to the opposite one (entering and leaving past the edges).
  const horizontal = rng.chance(0.5);
  const m = size * 0.15;
  const a: [number, number] = horizontal ? [-m, rng.range(0, size)] : [rng.range(0, size), -m];
  const d: [number, number] = horizontal ? [size + m, rng.range(0, size)] : [rng.range(0, size), size + m];
  const b: [number, number] = [rng.range(0, size), rng.range(0, size)];
  const c: [number, number] = [rng.range(0, size), rng.range(0, size)];
  const pts: [number, number][] = [];
  const steps = 32;
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const mt = 1 - t;
    pts.push([
      mt * mt * mt * a[0] + 3 * mt * mt * t * b[0] + 3 * mt * t * t * c[0] + t * t * t * d[0],
      mt * mt * mt * a[1] + 3 * mt * mt * t * b[1] + 3 * mt * t * t * c[1] + t * t * t * d[1],
    ]);
  }
  return pts;
}

function polylineSegments(pts: [number, number][], hw: number, major: boolean): Segment[] {
  const out: Segment[] = [];
  let s0 = 0;
  for (let i = 0; i + 1 < pts.length; i++) {
    const [ax, ay] = pts[i]!;
    const [bx, by] = pts[i + 1]!;
    out.push({ ax, ay, bx, by, hw, major, s0 });
    s0 += Math.hypot(bx - ax, by - ay);
  }
  return out;
}

function halfWidths(k: number, rng: Rng): { minor: number; major: number } {
  return { minor: Math.max(1, rng.range(3, 4.2) * k), major: Math.max(1.5, rng.range(5, 7) * k) };
}

function layOutRoads(world: World, g: Grid, rng: Rng, k: number): Segment[] {
  const segments: Segment[] = [];
  const widths = halfWidths(k, rng);
  const kindAt = (i: number, j: number) => g.kinds.get(blockKey(i, j)) ?? 'land';
  const isBuilt = (kind: BlockKind) => kind === 'city' || kind === 'houses';
  // A grid edge is a street when a block beside it is built up (or it is a major line); countryside
  // edges are mostly left out, so rural tiles hold a sparse network.
  for (let i = g.iMin; i <= g.iMax; i++) {
    for (let j = g.jMin; j < g.jMax; j++) {
      const major = g.majorU.has(i);
      const built = isBuilt(kindAt(i - 1, j)) || isBuilt(kindAt(i, j));
      if (!(major || built || rng.chance(0.12))) continue;
      const u = g.u0 + i * g.su;
      const a = toPixel(g, u, g.v0 + j * g.sv);
      const b = toPixel(g, u, g.v0 + (j + 1) * g.sv);
      segments.push({ ax: a[0], ay: a[1], bx: b[0], by: b[1], hw: major ? widths.major : widths.minor, major, s0: 0 });
    }
  }
  for (let j = g.jMin; j <= g.jMax; j++) {
    for (let i = g.iMin; i < g.iMax; i++) {
      const major = g.majorV.has(j);
      const built = isBuilt(kindAt(i, j - 1)) || isBuilt(kindAt(i, j));
      if (!(major || built || rng.chance(0.12))) continue;
      const v = g.v0 + j * g.sv;
      const a = toPixel(g, g.u0 + i * g.su, v);
      const b = toPixel(g, g.u0 + (i + 1) * g.su, v);
      segments.push({ ax: a[0], ay: a[1], bx: b[0], by: b[1], hw: major ? widths.major : widths.minor, major, s0: 0 });
    }
  }
  // Curved roads that ignore the grid: a bypass or a country lane.
  const curves = rng.int(0, 2);
  for (let c = 0; c < curves; c++) {
    const major = rng.chance(0.5);
    segments.push(...polylineSegments(randomCurve(rng, world.size), major ? widths.major : widths.minor, major));
  }
  return segments;
}

/**
 * Writes, for each pixel near the segment, the smallest signed distance to a road edge (negative inside
 * the road) and calls `onPixel` with the distance to the centre line and the arc length there.
 */
function rasterSegment(
  edge: Float32Array,
  size: number,
  s: Segment,
  onPixel: (index: number, centreDist: number, arc: number) => void,
  margin = 0,
): void {
  const r = s.hw + margin + 1;
  const x0 = Math.max(0, Math.floor(Math.min(s.ax, s.bx) - r));
  const x1 = Math.min(size - 1, Math.ceil(Math.max(s.ax, s.bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(s.ay, s.by) - r));
  const y1 = Math.min(size - 1, Math.ceil(Math.max(s.ay, s.by) + r));
  const dx = s.bx - s.ax;
  const dy = s.by - s.ay;
  const len2 = dx * dx + dy * dy || 1;
  const len = Math.sqrt(len2);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - s.ax;
      const py = y + 0.5 - s.ay;
      const t = Math.min(1, Math.max(0, (px * dx + py * dy) / len2));
      const d = Math.hypot(px - t * dx, py - t * dy);
      const e = d - s.hw;
      const i = y * size + x;
      if (e < edge[i]!) edge[i] = e;
      onPixel(i, d, s.s0 + t * len);
    }
  }
}

function drawRoads(world: World, segments: Segment[], k: number): void {
  const { size, label, casing, marking } = world;
  const n = size * size;
  const minorEdge = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
  const majorEdge = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
  const casingWidth = Math.max(1, 1.6 * k);
  const dash = Math.max(3, 9 * k);
  const markWidth = Math.max(0.5, 0.7 * k);
  for (const s of segments) {
    rasterSegment(
      s.major ? majorEdge : minorEdge,
      size,
      s,
      (i, d, arc) => {
        if (s.major && d < markWidth && Math.floor(arc / dash) % 2 === 0) marking[i] = 1;
      },
      casingWidth,
    );
  }
  for (let i = 0; i < n; i++) {
    if (label[i] === Label.Water) {
      marking[i] = 0;
      continue;
    }
    const maj = majorEdge[i]!;
    const min = minorEdge[i]!;
    if (maj < 0) label[i] = Label.MajorRoad;
    else if (min < 0) label[i] = Label.MinorRoad;
    else if (maj < casingWidth) casing[i] = Casing.Major;
    else if (min < casingWidth) casing[i] = Casing.Minor;
    if (label[i] !== Label.MajorRoad || min < 0) marking[i] = 0;
    if (label[i] === Label.MajorRoad || label[i] === Label.MinorRoad) world.objectId[i] = 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Buildings: rows of rectangles along each built-up block's edges, set back from the kerb.

function placeBuildings(world: World, g: Grid, rng: Rng, k: number): void {
  const { size } = world;
  for (let i = g.iMin; i <= g.iMax; i++) {
    for (let j = g.jMin; j <= g.jMax; j++) {
      const kind = g.kinds.get(blockKey(i, j));
      if (kind !== 'city' && kind !== 'houses') continue;
      const uA = g.u0 + i * g.su;
      const vA = g.v0 + j * g.sv;
      const [px, py] = toPixel(g, uA + g.su / 2, vA + g.sv / 2);
      const reach = Math.hypot(g.su, g.sv) / 2;
      if (px < -reach || py < -reach || px > size + reach || py > size + reach) continue;
      const city = kind === 'city';
      const br = rng.fork(i * 1000 + j);
      const setback = (city ? br.range(8, 11) : br.range(11, 15)) * k;
      const depthMax = (city ? br.range(16, 24) : br.range(8, 12)) * k;
      // Walk the four sides of the block; each side holds a row of lots.
      const sides: { along: 'u' | 'v'; fixed: number; dir: number; from: number; to: number }[] = [
        { along: 'u', fixed: vA + setback, dir: 1, from: uA + setback, to: uA + g.su - setback },
        { along: 'u', fixed: vA + g.sv - setback, dir: -1, from: uA + setback, to: uA + g.su - setback },
        { along: 'v', fixed: uA + setback, dir: 1, from: vA + setback + depthMax, to: vA + g.sv - setback - depthMax },
        {
          along: 'v',
          fixed: uA + g.su - setback,
          dir: -1,
          from: vA + setback + depthMax,
          to: vA + g.sv - setback - depthMax,
        },
      ];
      for (const side of sides) {
        let pos = side.from;
        while (pos < side.to) {
          const lot = (city ? br.range(12, 26) : br.range(13, 19)) * k;
          const width = Math.min(lot - (city ? br.range(0.5, 2) : br.range(3, 6)) * k, side.to - pos);
          const depth = Math.min(depthMax, (city ? br.range(12, 24) : br.range(8, 12)) * k);
          if (width > 3 * k && !(city ? br.chance(0.08) : br.chance(0.2))) {
            const alongMid = pos + width / 2;
            const acrossMid = side.fixed + (side.dir * depth) / 2;
            const [u, v] = side.along === 'u' ? [alongMid, acrossMid] : [acrossMid, alongMid];
            const [hw, hh] = side.along === 'u' ? [width / 2, depth / 2] : [depth / 2, width / 2];
            addBuilding(world, g, br, u, v, hw, hh, city);
          }
          pos += lot;
        }
      }
    }
  }
}

function addBuilding(world: World, g: Grid, rng: Rng, u: number, v: number, hw: number, hh: number, city: boolean) {
  const { size, label } = world;
  const [cx, cy] = toPixel(g, u, v);
  const r = Math.hypot(hw, hh) + 1;
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(size - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(size - 1, Math.ceil(cy + r));
  if (x0 > x1 || y0 > y1) return;
  const inside: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const [lu, lv] = toLocal(g, x + 0.5, y + 0.5);
      if (Math.abs(lu - u) <= hw && Math.abs(lv - v) <= hh) {
        const p = y * size + x;
        // A building is kept whole or not at all: none stands on a road, its kerb, or in water.
        if (label[p] !== Label.Land || world.casing[p] !== 0) return;
        inside.push(p);
      }
    }
  }
  if (inside.length === 0) return;
  const k = world.scale;
  const style: RoofStyle = city ? (rng.chance(0.75) ? 'flat' : 'hip') : rng.chance(0.6) ? 'gable' : 'hip';
  const roof = rng.pick(city ? ROOFS.slice(2) : ROOFS);
  const jitter = (c: number) => Math.min(255, Math.max(0, c + rng.range(-14, 14)));
  world.buildings.push({
    roof: [jitter(roof[0]), jitter(roof[1]), jitter(roof[2])],
    style,
    ridge: g.angle + (hw >= hh ? 0 : Math.PI / 2),
    cx,
    cy,
    hw,
    hh,
    angle: g.angle,
  });
  const id = world.buildings.length;
  const height = Math.max(1, Math.round((city ? rng.range(4, 10) : rng.range(2, 4)) * k));
  for (const p of inside) {
    label[p] = Label.Building;
    world.objectId[p] = id;
    world.height[p] = height;
  }
}

// ---------------------------------------------------------------------------------------------------
// Trees: canopy only the aerial shows (a tree in a park is park on the map), dense in woods.

function plantTrees(world: World, g: Grid, rng: Rng, k: number): void {
  const { size, label, canopy } = world;
  const plant = (cx: number, cy: number, radius: number) => {
    const r = Math.ceil(radius) + 1;
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(size - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(size - 1, Math.ceil(cx + r)); x++) {
        const p = y * size + x;
        const l = label[p];
        if (l !== Label.Land && l !== Label.Park && l !== Label.Wood) continue;
        if (world.casing[p] !== 0) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
        if (d < 1) canopy[p] = Math.max(canopy[p]!, 1 - d * d);
      }
    }
  };
  const area = size * size;
  // Scatter candidates uniformly; each kind of ground keeps them with its own density.
  const tries = Math.round((area / (k * k)) * 0.02);
  for (let t = 0; t < tries; t++) {
    const x = rng.range(0, size);
    const y = rng.range(0, size);
    const p = Math.floor(y) * size + Math.floor(x);
    const l = label[p];
    const urban = world.urban[p]!;
    const keep =
      l === Label.Wood ? 0.95 : l === Label.Park ? 0.35 : l === Label.Land ? (urban > 0.38 ? 0.22 : 0.05) : 0;
    if (rng.chance(keep)) plant(x, y, Math.max(1.2, rng.range(3, l === Label.Wood ? 7 : 6) * k));
  }
  void g;
}

// ---------------------------------------------------------------------------------------------------

/** Distance in pixels (chessboard, two passes) from every pixel to the nearest water pixel. */
function measureShore(world: World): void {
  const { size, label, shore } = world;
  for (let i = 0; i < shore.length; i++) shore[i] = label[i] === Label.Water ? 0 : 255;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      let d = shore[i]!;
      if (x > 0) d = Math.min(d, shore[i - 1]! + 1);
      if (y > 0) d = Math.min(d, shore[i - size]! + 1);
      if (x > 0 && y > 0) d = Math.min(d, shore[i - size - 1]! + 1);
      if (x < size - 1 && y > 0) d = Math.min(d, shore[i - size + 1]! + 1);
      shore[i] = d;
    }
  }
  for (let y = size - 1; y >= 0; y--) {
    for (let x = size - 1; x >= 0; x--) {
      const i = y * size + x;
      let d = shore[i]!;
      if (x < size - 1) d = Math.min(d, shore[i + 1]! + 1);
      if (y < size - 1) d = Math.min(d, shore[i + size]! + 1);
      if (x < size - 1 && y < size - 1) d = Math.min(d, shore[i + size + 1]! + 1);
      if (x > 0 && y < size - 1) d = Math.min(d, shore[i + size - 1]! + 1);
      shore[i] = d;
    }
  }
}
