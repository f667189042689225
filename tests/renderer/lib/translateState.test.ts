import { describe, expect, it } from 'vitest';
import type { DomainScan } from '#contract';
import {
  exportProblems,
  initialTranslateState as initial,
  type JobEvent,
  previewResults,
  startRequest,
  type TranslateAction,
  type TranslateState,
  translateReducer,
} from '../../../renderer/src/lib/translateState';

const run = (...actions: TranslateAction[]): TranslateState => actions.reduce(translateReducer, initial);
const event = (e: Partial<JobEvent> & Pick<JobEvent, 'type' | 'jobId'>): TranslateAction => ({
  type: 'job-event',
  event: { done: 0, total: 2, ...e },
});
const scan = { images: [{ path: '/in/a.png' }], skipped: [] } as unknown as DomainScan;

describe('the Translate screen’s jobs', () => {
  it('keeps events that beat the start call’s answer and applies them once the job is known', () => {
    const s = run(
      event({ type: 'progress', jobId: 'j1', done: 0, total: 2, etaSeconds: 9 }),
      event({ type: 'item', jobId: 'j1', done: 1, input: '/in/a.png', output: '/out/a.png' }),
      { type: 'job-started', kind: 'translate', jobId: 'j1', outDir: '/out' },
      event({ type: 'item', jobId: 'j1', done: 2, input: '/in/b.png', error: 'damaged' }),
      event({ type: 'done', jobId: 'j1', done: 2 }),
    );
    expect(s.early).toEqual({});
    expect(s.jobs.translate).toMatchObject({
      jobId: 'j1',
      outDir: '/out',
      status: 'done',
      done: 2,
      total: 2,
      etaSeconds: 9,
      items: [
        { input: '/in/a.png', output: '/out/a.png' },
        { input: '/in/b.png', error: 'damaged' },
      ],
    });
    expect(s.jobs.export).toBeNull();
  });

  it('ignores events of a replaced job, and shows a failed job’s reason', () => {
    const s = run(
      { type: 'job-started', kind: 'export', jobId: 'old' },
      { type: 'job-started', kind: 'export', jobId: 'new' },
      event({ type: 'done', jobId: 'old' }),
      event({ type: 'failed', jobId: 'new', error: 'disk full' }),
    );
    expect(s.jobs.export).toMatchObject({ jobId: 'new', status: 'failed', error: 'disk full' });
  });

  it('compares the first image of a new preview, and the last one when the choice is past the end', () => {
    let s = run(
      { type: 'job-started', kind: 'translate', jobId: 'j1' },
      event({ type: 'item', jobId: 'j1', input: '/in/a.png', output: '/out/a.png' }),
      event({ type: 'item', jobId: 'j1', input: '/in/skip.png', skipped: 'exists' }),
      event({ type: 'item', jobId: 'j1', input: '/in/b.png', output: '/out/b.png' }),
      { type: 'select-result', index: 5 },
    );
    expect(previewResults(s).results.map((r) => r.input)).toEqual(['/in/a.png', '/in/b.png']);
    expect(previewResults(s).current?.input).toBe('/in/b.png');
    s = translateReducer(s, { type: 'job-started', kind: 'translate', jobId: 'j2' });
    expect(s.selected).toBe(0);
    expect(previewResults(s)).toEqual({ results: [], current: undefined });
  });
});

describe('the Translate screen’s input', () => {
  it('forgets the last folder when a new one comes, and says what went wrong', () => {
    let s = run({ type: 'input-ready', path: '/in', scan });
    expect(s.input).toEqual({ path: '/in', scan, error: null, busy: null });
    s = run(
      { type: 'input-ready', path: '/in', scan },
      { type: 'input-started' },
      { type: 'input-busy', label: 'Reading…' },
    );
    expect(s.input).toEqual({ path: null, scan: null, error: null, busy: 'Reading…' });
    s = translateReducer(s, { type: 'input-failed', error: 'No images to translate in x.' });
    expect(s.input).toEqual({ path: null, scan: null, error: 'No images to translate in x.', busy: null });
  });
});

describe('export options', () => {
  it('checks quality only for lossy formats, and names that could collide or cannot be files', () => {
    const o = initial.exportOptions;
    expect(exportProblems(o)).toEqual({ quality: undefined, naming: undefined });
    expect(exportProblems({ ...o, quality: '0' }).quality).toBeUndefined();
    expect(exportProblems({ ...o, format: 'jpeg', quality: '0' }).quality).toBe('Enter a whole number from 1 to 100.');
    expect(exportProblems({ ...o, format: 'webp', quality: '75.5' }).quality).toBeDefined();
    expect(exportProblems({ ...o, naming: 'out' }).naming).toBe(
      'Include {name} or {index} so each file gets its own name.',
    );
    expect(exportProblems({ ...o, naming: 'a/{name}' }).naming).toBe('Names cannot contain \\ / : * ? " < > |');
  });

  it('asks for a PNG preview under the original names, and an export as chosen', () => {
    const s = run(
      { type: 'choose-direction', direction: 'BtoA' },
      {
        type: 'export-options',
        patch: { format: 'jpeg', quality: '80', naming: '{name}_map', destination: '  ', overwrite: true },
      },
    );
    expect(startRequest('translate', s, 'm1', '/in')).toEqual({
      modelId: 'm1',
      direction: 'BtoA',
      inputs: ['/in'],
      format: 'png',
      naming: '{name}',
      overwrite: true,
    });
    expect(startRequest('export', s, 'm1', '/in')).toEqual({
      modelId: 'm1',
      direction: 'BtoA',
      inputs: ['/in'],
      format: 'jpeg',
      quality: 80,
      naming: '{name}_map',
      overwrite: true,
      outDir: undefined,
    });
  });
});
