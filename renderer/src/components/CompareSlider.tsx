/** Before/after: the translated image over the original, revealed up to a keyboard-movable divider. */
import { useState } from 'react';

export function CompareSlider({ before, after, label }: { before: string; after: string; label: string }) {
  const [split, setSplit] = useState(50);
  return (
    <figure className="stack" style={{ margin: 0 }}>
      <div className="compare">
        <img src={before} alt={`${label}, before`} />
        <div className="after" style={{ clipPath: `inset(0 0 0 ${split}%)` }}>
          <img src={after} alt={`${label}, after`} />
        </div>
        <div className="divider" style={{ left: `calc(${split}% - 1px)` }} />
        <span className="tag" style={{ left: 8 }}>
          Before
        </span>
        <span className="tag" style={{ right: 8 }}>
          After
        </span>
      </div>
      <input
        type="range"
        min={0}
        max={100}
        value={split}
        aria-label="Compare before and after"
        onChange={(e) => setSplit(Number(e.target.value))}
      />
      <figcaption className="muted small">{label}</figcaption>
    </figure>
  );
}
