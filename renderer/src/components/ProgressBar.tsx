/** Progress with iteration/epoch, speed and ETA. */
import { formatDuration, formatRate } from '../lib/format';

export interface ProgressProps {
  label: string;
  done: number;
  total: number;
  epoch?: number;
  itPerSec?: number | null;
  etaSeconds?: number | null;
  unit?: string;
}

export function ProgressBar({ label, done, total, epoch, itPerSec, etaSeconds, unit = 'Iteration' }: ProgressProps) {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${unit} ${done} of ${total}`}
      >
        <div className="progress-fill" style={{ width: `${(share * 100).toFixed(2)}%` }} />
      </div>
      <div className="progress-meta" aria-live="off">
        <span>
          {unit}{' '}
          <strong data-testid="progress-iteration">
            {done.toLocaleString('en-US')} / {total.toLocaleString('en-US')}
          </strong>
        </span>
        {epoch !== undefined && (
          <span>
            Epoch <strong>{epoch}</strong>
          </span>
        )}
        {itPerSec !== undefined && (
          <span>
            Speed <strong>{formatRate(itPerSec)}</strong>
          </span>
        )}
        {etaSeconds !== undefined && (
          <span>
            ETA <strong>{formatDuration(etaSeconds)}</strong>
          </span>
        )}
        <span>
          <strong>{Math.round(share * 100)}%</strong>
        </span>
      </div>
    </div>
  );
}
