/** One quiet line per flat-coloured output folder, with its colours as swatches (the Train screen). */
import type { OutputColours } from '#contract';
import type { AsyncState } from '../api/context';
import { outputColoursNote } from '../lib/outputColours';
import { errorText } from './States';

export function OutputColoursNote({ look }: { look: AsyncState<OutputColours> }) {
  if (look.loading) {
    return (
      <p className="output-colours small muted" role="status">
        Looking at the output folder…
      </p>
    );
  }
  // The note only informs: a failed look is one muted line, and the form goes on working.
  if (look.error) {
    return (
      <p className="output-colours small muted" role="status">
        Output colours: {errorText(look.error)}
      </p>
    );
  }
  const note = outputColoursNote(look.data);
  if (!note) return null;
  return (
    <div className="output-colours small" role="status" aria-live="polite">
      {note.lines.map((line) => (
        <p key={line.text} className={note.kind === 'flat' ? undefined : 'muted'}>
          {line.text}
          {line.swatches.length > 0 && (
            <span className="swatches" aria-hidden="true">
              {line.swatches.map((c) => (
                <span key={c} className="swatch" style={{ background: c }} title={c} />
              ))}
            </span>
          )}
        </p>
      ))}
    </div>
  );
}
