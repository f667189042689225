/** "GPU · tfjs-node-gpu" or "CPU · wasm": what training will run on. */
import type { SystemInfo } from '#contract';

export function BackendBadge({ info, error }: { info?: SystemInfo; error?: unknown }) {
  if (error) return <span className="badge danger">Backend unknown</span>;
  const b = info?.backend;
  if (!b) return <span className="badge">Backend: checking…</span>;
  const label = `${b.gpu ? 'GPU' : 'CPU'} · ${b.backend}`;
  return (
    <span
      className={`badge ${b.gpu ? 'gpu' : 'cpu'}`}
      data-testid="backend-badge"
      title={b.attempts.map((a) => `${a.candidate}: ${a.ok ? 'ok' : (a.reason ?? 'failed')}`).join('\n')}
    >
      {label}
    </span>
  );
}
