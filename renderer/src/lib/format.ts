/** Human formatting for progress: durations, rates, counts, sizes. */

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Below one iteration a second, seconds per iteration reads better than "0.03 it/s". */
export function formatRate(itPerSec: number | null | undefined): string {
  if (itPerSec == null || !Number.isFinite(itPerSec) || itPerSec <= 0) return '— it/s';
  if (itPerSec >= 1) return `${itPerSec >= 100 ? Math.round(itPerSec) : itPerSec.toFixed(2)} it/s`;
  const spi = 1 / itPerSec;
  return `${spi >= 100 ? Math.round(spi) : spi.toFixed(1)} s/it`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The folder's own name from a path typed on any platform. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
