/** The latest sample grid, with a slider back through the earlier ones. */
import { useEffect, useState } from 'react';
import { Empty } from './States';

export interface SampleRef {
  iteration: number;
  url: string;
}

export function SampleViewer({ samples }: { samples: SampleRef[] }) {
  const [index, setIndex] = useState<number | null>(null); // null: follow the latest
  const last = samples.length - 1;
  const shown = index === null ? last : Math.min(index, last);
  useEffect(() => {
    if (samples.length === 0) setIndex(null);
  }, [samples.length]);
  const sample = samples[shown];
  if (!sample) {
    return (
      <Empty title="No samples yet" icon="🖼">
        <p>Sample translations appear here as training goes.</p>
      </Empty>
    );
  }
  return (
    <div className="stack">
      <div className="sample-frame">
        <img
          src={sample.url}
          alt={`Sample grid at iteration ${sample.iteration}: real, translated and reconstructed`}
          data-testid="sample-image"
          data-iteration={sample.iteration}
        />
      </div>
      <div className="row spread small muted">
        <span>
          Iteration <strong>{sample.iteration}</strong> ({shown + 1} of {samples.length})
        </span>
        {index !== null && (
          <button type="button" className="link" onClick={() => setIndex(null)}>
            Follow latest
          </button>
        )}
      </div>
      <input
        type="range"
        min={0}
        max={Math.max(0, last)}
        value={shown}
        disabled={samples.length < 2}
        aria-label="Sample iteration"
        aria-valuetext={`Iteration ${sample.iteration}`}
        onChange={(e) => {
          const v = Number(e.target.value);
          setIndex(v >= last ? null : v);
        }}
      />
    </div>
  );
}
