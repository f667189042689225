/** "GPU · tfjs-node-gpu", "CPU · wasm" or "CPU · webgpu · mesa software": what training will run on. */
import type { SystemInfo } from '#contract';

export function BackendBadge({ info, error }: { info?: SystemInfo; error?: unknown }) {
  if (error) return <span className="badge danger">Backend unknown</span>;
  const b = info?.backend;
  if (!b) return <span className="badge">Backend: checking…</span>;
  const adapter = b.adapter ? ` · ${b.adapter.vendor} ${b.adapter.architecture}` : '';
  const label = `${b.gpu ? 'GPU' : 'CPU'} · ${b.backend}${adapter}`;
  const adapterLine = b.adapter
    ? [`adapter: ${b.adapter.description}${b.adapter.software ? ' (software: correct, not fast)' : ''}`]
    : [];
  return (
    <span
      className={`badge ${b.gpu ? 'gpu' : 'cpu'}`}
      data-testid="backend-badge"
      title={[...adapterLine, ...b.attempts.map((a) => `${a.candidate}: ${a.ok ? 'ok' : (a.reason ?? 'failed')}`)].join(
        '\n',
      )}
    >
      {label}
    </span>
  );
}
