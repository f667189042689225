/**
 * Columnar store of logged losses: one x array and one array per loss name, appended in place so
 * 100,000 iterations cost a few arrays, not 100,000 objects. `version` changes on every append.
 */
export class LossStore {
  readonly x: number[] = [];
  readonly series = new Map<string, (number | null)[]>();
  version = 0;

  append(iteration: number, losses: Record<string, number>): void {
    const last = this.x[this.x.length - 1];
    // Events can repeat after a reconnect (history + live): keep the x axis strictly increasing.
    if (last !== undefined && iteration <= last) return;
    const index = this.x.length;
    this.x.push(iteration);
    for (const [name, value] of Object.entries(losses)) {
      let column = this.series.get(name);
      if (!column) {
        column = new Array(index).fill(null);
        this.series.set(name, column);
      }
      column.push(Number.isFinite(value) ? value : null);
    }
    for (const column of this.series.values()) if (column.length < this.x.length) column.push(null);
    this.version++;
  }

  get length(): number {
    return this.x.length;
  }

  clear(): void {
    this.x.length = 0;
    this.series.clear();
    this.version++;
  }
}

/**
 * Puts logged history in front of what live events already brought (history can answer after the
 * first events when the engine is busy): rows before the first live iteration are kept, the rest
 * are already there.
 */
export function mergeHistory(store: LossStore, rows: { iteration: number; losses: Record<string, number> }[]): void {
  const live = { x: [...store.x], series: new Map([...store.series].map(([k, v]) => [k, [...v]])) };
  const firstLive = live.x[0] ?? Number.POSITIVE_INFINITY;
  store.clear();
  for (const row of rows) if (row.iteration < firstLive) store.append(row.iteration, row.losses);
  for (let i = 0; i < live.x.length; i++) {
    const losses: Record<string, number> = {};
    for (const [name, column] of live.series) {
      const v = column[i];
      if (v !== null && v !== undefined) losses[name] = v;
    }
    store.append(live.x[i] as number, losses);
  }
}
