/**
 * Live loss curves on uPlot: smoothing, hover values in the legend, series toggled by clicking the
 * legend. Redraws are throttled and decimated to the chart's pixel width, so 100,000 points stay smooth.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decimate, LOSS_LABELS, orderLossNames, smooth } from '../lib/chartData';
import type { LossStore } from '../lib/lossStore';

const PALETTE = [
  '#3d5afe',
  '#00bfa5',
  '#ff6d00',
  '#d81b60',
  '#8e24aa',
  '#43a047',
  '#fbc02d',
  '#6d4c41',
  '#1e88e5',
  '#e53935',
  '#00897b',
  '#5e35b1',
];
const REDRAW_MS = 250;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function LossChart({ store, version, theme }: { store: LossStore; version: number; theme: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [smoothing, setSmoothing] = useState(0.6);
  const [logWanted, setLogWanted] = useState(true);
  const names = orderLossNames(store.series.keys());
  const namesKey = names.join(',');
  // A log axis keeps a large loss (L1 × 100, cycle × 10) from flattening the small ones; it needs
  // every value above zero (hinge losses can go negative).
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for the store's contents
  const allPositive = useMemo(() => {
    for (const column of store.series.values()) for (const v of column) if (v !== null && v <= 0) return false;
    return true;
  }, [version, store]);
  const log = logWanted && allPositive;
  const lastDraw = useRef(0);
  const pending = useRef<number | null>(null);

  // (Re)create the chart when the set of losses or the theme changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: namesKey stands for names
  useEffect(() => {
    const el = host.current;
    if (!el || names.length === 0) return;
    const text = cssVar('--muted');
    const grid = cssVar('--chart-grid');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 280,
      scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : {} },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { ...axis, label: 'Iteration', labelSize: 20 },
        { ...axis, size: 56 },
      ],
      series: [
        { label: 'Iteration', value: (_u, v) => (v == null ? '—' : String(Math.round(v))) },
        ...names.map((name, i) => ({
          label: LOSS_LABELS[name] ?? name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          points: { show: false },
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : v.toFixed(4)),
        })),
      ],
    };
    const u = new uPlot(opts, [[], ...names.map(() => [])] as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 280 }));
    resize.observe(el);
    lastDraw.current = 0;
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [namesKey, theme, log]);

  // Push data, at most every REDRAW_MS.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version stands for the store's contents
  useEffect(() => {
    const draw = () => {
      pending.current = null;
      lastDraw.current = performance.now();
      const u = plot.current;
      if (!u) return;
      const ys = names.map((n) => smooth(store.series.get(n) ?? [], smoothing));
      const d = decimate(store.x, ys, Math.max(100, u.width));
      u.setData([d.x, ...d.ys] as uPlot.AlignedData);
    };
    const wait = REDRAW_MS - (performance.now() - lastDraw.current);
    if (wait <= 0) draw();
    else if (pending.current === null) pending.current = window.setTimeout(draw, wait);
  }, [version, smoothing, namesKey, theme, log]);

  useEffect(
    () => () => {
      if (pending.current !== null) clearTimeout(pending.current);
    },
    [],
  );

  return (
    <div className="stack">
      <div className="row spread">
        <h2>Losses</h2>
        <div className="row small muted" style={{ gap: 16 }}>
          <label className="row" style={{ gap: 6 }}>
            <input
              type="checkbox"
              checked={log}
              disabled={!allPositive}
              onChange={(e) => setLogWanted(e.target.checked)}
            />
            Log scale
          </label>
          <label className="row" style={{ gap: 8 }}>
            Smoothing
            <input
              type="range"
              aria-label="Smoothing"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              style={{ width: 140 }}
              onChange={(e) => setSmoothing(Number(e.target.value))}
            />
            <span style={{ width: 32, fontVariantNumeric: 'tabular-nums' }}>{smoothing.toFixed(2)}</span>
          </label>
        </div>
      </div>
      {names.length === 0 ? <p className="muted">The first losses appear after the first logged iteration.</p> : null}
      <div
        ref={host}
        className="chart-host"
        role="img"
        aria-label={`Loss curves over ${store.length} logged iterations: ${names.map((n) => LOSS_LABELS[n] ?? n).join(', ')}`}
        data-testid="loss-chart"
        data-points={store.length}
        hidden={names.length === 0}
      />
    </div>
  );
}
