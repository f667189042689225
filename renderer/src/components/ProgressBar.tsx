/** Progress with iteration/epoch, speed and ETA; by training time when the run trains for a time. */
import { formatDuration, formatRate } from '../lib/format';

export interface ProgressProps {
  label: string;
  done: number;
  total: number;
  epoch?: number;
  itPerSec?: number | null;
  etaSeconds?: number | null;
  unit?: string;
  /** A time budget: the bar fills with the seconds trained, and `done` is shown as a count alone. */
  time?: { seconds: number; budget: number };
}

export function ProgressBar({
  label,
  done,
  total,
  epoch,
  itPerSec,
  etaSeconds,
  unit = 'Iteration',
  time,
}: ProgressProps) {
  const [value, max] = time ? [time.seconds, time.budget] : [done, total];
  const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={Math.round(max)}
        aria-valuenow={Math.round(value)}
        aria-valuetext={
          time
            ? `${formatDuration(time.seconds)} of ${formatDuration(time.budget)} trained, ${unit.toLowerCase()} ${done}`
            : `${unit} ${done} of ${total}`
        }
      >
        <div className="progress-fill" style={{ width: `${(share * 100).toFixed(2)}%` }} />
      </div>
      <div className="progress-meta" aria-live="off">
        {time && (
          <span>
            Time{' '}
            <strong data-testid="progress-time">
              {formatDuration(time.seconds)} / {formatDuration(time.budget)}
            </strong>
          </span>
        )}
        <span>
          {unit}{' '}
          <strong data-testid="progress-iteration">
            {time ? done.toLocaleString('en-US') : `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`}
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
