/** A virtualised grid of thumbnails: only the rows in view are in the DOM, so 50,000 images scroll fine. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { ImageEntry } from '#contract';

const CELL = 84;
const GAP = 6;

export function ThumbnailGrid({
  images,
  urlFor,
  label,
  half,
}: {
  images: ImageEntry[];
  urlFor: (image: ImageEntry) => string;
  label: string;
  /** A|B side-by-side images: show only this half of each (the domain this grid stands for). */
  half?: 'left' | 'right';
}) {
  const scroller = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((width - 12 + GAP) / (CELL + GAP)));
  // Cells grow to fill the row exactly, so the grid has no ragged right edge.
  const cell = Math.max(CELL, Math.floor((width - 12 - GAP * (columns - 1)) / columns));
  const rows = Math.ceil(images.length / columns);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => cell + GAP,
    overscan: 3,
  });
  // A new cell size changes every row's height.
  // biome-ignore lint/correctness/useExhaustiveDependencies: cell is the trigger
  useEffect(() => virtualizer.measure(), [cell, virtualizer]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroller must be reachable to scroll by keyboard
    <section ref={scroller} className="thumb-scroller" tabIndex={0} aria-label={label}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <div key={row.key} className="thumb-row" style={{ top: row.start, height: row.size }}>
            {images.slice(row.index * columns, row.index * columns + columns).map((image) => (
              <div
                key={image.path}
                className="thumb"
                style={{ width: cell, height: cell }}
                title={`${image.relative} · ${image.width}×${image.height}`}
              >
                <img
                  src={urlFor(image)}
                  alt={half ? `${image.relative} (${half} half)` : image.relative}
                  loading="lazy"
                  decoding="async"
                  style={half ? { objectPosition: `${half} center` } : undefined}
                  data-half={half}
                />
              </div>
            ))}
          </div>
        ))}
      </div>
    </section>
  );
}
