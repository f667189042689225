/**
 * Pure helpers for the loss chart: smoothing and per-pixel decimation, so a chart stays smooth with
 * 100,000 logged iterations (uPlot then draws at most a few points per pixel column).
 */

/**
 * Exponential moving average with bias correction (the first points are not pulled towards zero).
 * `weight` 0 returns the input; 0.99 is very smooth. Non-finite values are passed through as null.
 */
export function smooth(values: ArrayLike<number | null>, weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = w === 0 ? v : last / (1 - w ** n);
  }
  return out;
}

export interface Decimated {
  x: number[];
  ys: (number | null)[][];
}

/**
 * Reduces series sharing one x axis to about `buckets` columns. Each column keeps its first and last
 * point plus, per series, the points where it is lowest and highest, so spikes survive (the "M4" idea).
 * Input at or below 4 × buckets points is returned as it is.
 */
export function decimate(x: ArrayLike<number>, ys: ArrayLike<number | null>[], buckets: number): Decimated {
  const n = x.length;
  const cap = Math.max(1, Math.floor(buckets));
  if (n <= cap * 4) {
    return { x: Array.from(x), ys: ys.map((y) => Array.from(y)) };
  }
  const keep = new Uint8Array(n);
  const x0 = x[0] as number;
  const span = (x[n - 1] as number) - x0 || 1;
  let start = 0;
  while (start < n) {
    const bucket = Math.min(cap - 1, Math.floor((((x[start] as number) - x0) / span) * cap));
    let end = start + 1;
    while (end < n && Math.min(cap - 1, Math.floor((((x[end] as number) - x0) / span) * cap)) === bucket) end++;
    keep[start] = 1;
    keep[end - 1] = 1;
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = y[i];
        if (v == null) continue;
        if (lo < 0 || v < (y[lo] as number)) lo = i;
        if (hi < 0 || v > (y[hi] as number)) hi = i;
      }
      if (lo >= 0) keep[lo] = 1;
      if (hi >= 0) keep[hi] = 1;
    }
    start = end;
  }
  const outX: number[] = [];
  const outYs: (number | null)[][] = ys.map(() => []);
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    outX.push(x[i] as number);
    for (let s = 0; s < ys.length; s++)
      (outYs[s] as (number | null)[]).push((ys[s] as ArrayLike<number | null>)[i] ?? null);
  }
  return { x: outX, ys: outYs };
}

/** Loss names as the reference logs them, in the order a reader expects, with a friendly label. */
export const LOSS_LABELS: Record<string, string> = {
  G_A: 'G A (adversarial)',
  G_B: 'G B (adversarial)',
  cycle_A: 'Cycle A',
  cycle_B: 'Cycle B',
  idt_A: 'Identity A',
  idt_B: 'Identity B',
  D_A: 'D A',
  D_B: 'D B',
  G_GAN: 'G GAN',
  G_L1: 'G L1',
  D_real: 'D real',
  D_fake: 'D fake',
  // CUT / FastCUT: PatchNCE of A against G(A), and of B against G(B) (identity NCE, CUT only).
  NCE: 'NCE (PatchNCE, A → G(A))',
  NCE_Y: 'NCE identity (B → G(B))',
};

export function orderLossNames(names: Iterable<string>): string[] {
  const known = Object.keys(LOSS_LABELS);
  return [...new Set(names)].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a.localeCompare(b);
  });
}
