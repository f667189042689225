/**
 * The window specs' fake DuetApi (tests/e2e/support/fakeDuet.ts) against the contract: every operation
 * is called and its answer, as the fake gives it, is parsed with the operation's response schema; every
 * event it pushes is parsed with its event schema. A fake that drifts from the contract fails here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DUET_EVENTS,
  DUET_OPERATIONS,
  type DuetOperationName,
  type DuetRequest,
  type DuetResponse,
  OPERATION_NAMES,
} from '#contract';
import { createFakeDuet, type FakeDuet } from '../e2e/support/fakeDuet.js';

/** Fails with the operation's name and the contract's complaint. */
function expectValid<K extends DuetOperationName>(name: K, answer: unknown): DuetResponse<K> {
  const parsed = DUET_OPERATIONS[name].response.safeParse(answer);
  if (!parsed.success) {
    throw new Error(`fake ${name} answered what the contract refuses: ${parsed.error.message}`);
  }
  return parsed.data as DuetResponse<K>;
}

function expectEventsValid(fake: FakeDuet): void {
  for (const { kind, event } of fake.pushed) {
    const parsed = DUET_EVENTS[kind].schema.safeParse(event);
    if (!parsed.success) throw new Error(`fake ${kind} event refused by the contract: ${parsed.error.message}`);
  }
}

let fake: FakeDuet | undefined;
afterEach(() => {
  fake?.dispose();
  vi.useRealTimers();
});

describe('the window specs’ fake DuetApi', () => {
  it('answers every operation of the contract as the contract says', async () => {
    vi.useFakeTimers();
    const f = createFakeDuet({ seeded: true, historyPoints: 50, tickMs: 10 });
    fake = f;
    const asked = new Set<DuetOperationName>();
    const ask = <K extends DuetOperationName>(name: K, request?: DuetRequest<K>): DuetResponse<K> => {
      asked.add(name);
      return expectValid(name, f.answer(name, request));
    };
    const failing = <K extends DuetOperationName>(name: K, request: DuetRequest<K>): Error => {
      asked.add(name);
      try {
        f.answer(name, request);
      } catch (err) {
        return err as Error;
      }
      throw new Error(`${name} was expected to refuse ${JSON.stringify(request)}`);
    };

    expect(ask('getSystemInfo').transport).toBe('serve');
    ask('getSettings');
    expect(ask('setSettings', { theme: 'dark' }).theme).toBe('dark');
    ask('chooseFolder', { purpose: 'domain' });
    ask('openExternal', { url: 'https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix' });
    ask('listPresets');
    expect(ask('defaultSettings', { model: 'pix2pix' }).generator).toBe('unet_256');

    const [sample] = ask('listProjects'); // seeded: the sample project with a finished run
    if (!sample) throw new Error('the seeded fake has no project');
    ask('createSampleProject');
    const project = ask('createProject', { name: 'Aerial to map', domainA: '/data/aerial', domainB: '/data/map' });
    ask('updateProject', { projectId: project.id, model: 'pix2pix', settings: { size: 64 } });
    const report = ask('scanFolders', { a: '/data/aerial', b: '/data/map' });
    expect(report.pairing.kind).toBe('paired-names');
    expect(failing('scanFolders', { a: '/data/missing' })).toMatchObject({ code: 'not-found' });
    ask('uploadFiles', { label: 'aerial', files: [{ relativePath: 'aerial/0001.png', base64: '' }] });
    const colours = ask('previewOutputColours', { projectId: project.id, preset: 'quick' });
    expect(colours.domains.map((d) => [d.label, d.palette !== null])).toEqual([['map', true]]);
    expect(ask('previewOutputColours', { data: { a: '/data/aerial', b: '/data/missing' } }).problem).toMatch(/exist/);

    const seeded = ask('openProject', { projectId: sample.id }).runs[0];
    if (!seeded) throw new Error('the seeded project has no run');
    expect(ask('getRunMetrics', { projectId: sample.id, runId: seeded.id }).rows).toHaveLength(50);

    const run = ask('startRun', { projectId: project.id, preset: 'quick' });
    const ref = { projectId: project.id, runId: run.id };
    vi.advanceTimersByTime(10 * 12);
    expect(ask('pauseRun', ref).state).toBe('paused');
    expect(ask('resumeRun', ref).state).toBe('running');
    vi.advanceTimersByTime(10 * 12);
    expect(ask('getRun', ref).iteration).toBeGreaterThanOrEqual(20);
    expect(ask('listRuns', { projectId: project.id }).map((r) => r.id)).toEqual([run.id]);
    expect(ask('findRun', { ref: `${project.id}/${run.id}` }).id).toBe(run.id);
    expect(failing('findRun', { ref: 'nope' })).toMatchObject({ code: 'not-found' });
    expect(ask('listCheckpoints', ref).length).toBeGreaterThan(0);
    expect(ask('stopRun', ref).state).toBe('stopped');
    ask('resumeRunFrom', { ...ref, iteration: 20 });
    vi.advanceTimersByTime(10 * 60); // to the end of the run

    const model = ask('saveModelFromRun', { ...ref, name: 'maps' });
    expect(ask('renameModel', { modelId: model.id, name: 'maps v2' }).name).toBe('maps v2');
    expect(ask('listModels').map((m) => m.id)).toContain(model.id);
    expect(ask('getModelLibrary').models.map((m) => m.id)).toContain(model.id);
    expect(ask('getModel', { modelId: model.id }).card.name).toBe('maps v2');
    ask('exportModel', { modelId: model.id, destination: '/tmp/exports' });
    expect(failing('importModel', { source: '/tmp/not-a-model' }).message).toMatch(/not a Duet model folder/);
    expect(Object.keys(ask('evalModel', { modelId: model.id, a: '/data/test' }).directions)).toEqual(['AtoB', 'BtoA']);

    const job = ask('startTranslate', { modelId: model.id, inputs: ['/data/test'], naming: '{name}_map' });
    vi.advanceTimersByTime(100 * 6);
    const second = ask('startTranslate', { modelId: model.id, inputs: ['/data/test'] });
    ask('cancelTranslate', { jobId: second.jobId });

    ask('deleteModel', { modelId: model.id });
    ask('deleteProject', { projectId: project.id });

    expect([...asked].sort()).toEqual([...OPERATION_NAMES].sort());
    // The run's and the jobs' events: progress, samples, checkpoints, states; items, done, cancelled.
    const types = new Set(f.pushed.map(({ event }) => (event as { type: string }).type));
    for (const t of ['progress', 'sample', 'checkpoint', 'state', 'item', 'done', 'cancelled'])
      expect(types).toContain(t);
    expect(f.pushed.some(({ event }) => (event as { jobId?: string }).jobId === job.jobId)).toBe(true);
    expectEventsValid(f);
    expect(f.breaches).toEqual([]);
  });

  it('refuses an invalid request as the engine would', async () => {
    fake = createFakeDuet();
    await expect(fake.api.createProject({ name: '' })).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(fake.api.startRun({ projectId: '' })).rejects.toThrow(/Invalid request for startRun/);
  });

  it('lays a run’s settings as the engine does: a length chosen at the start replaces a lower one', () => {
    fake = createFakeDuet();
    const f = fake;
    const start = (projectId: string, request: Omit<DuetRequest<'startRun'>, 'projectId'>) => {
      const run = expectValid('startRun', f.answer('startRun', { projectId, ...request }));
      f.answer('stopRun', { projectId, runId: run.id });
      return run.settings;
    };
    const plain = expectValid('createProject', f.answer('createProject', { name: 'Plain' }));
    // The quick preset trains for 40 iterations; a time chosen replaces them.
    expect(start(plain.id, { preset: 'quick' })).toMatchObject({ iterations: 40 });
    const timed = start(plain.id, { preset: 'quick', settings: { minutes: 5 } });
    expect(timed.minutes).toBe(5);
    expect(timed.iterations).toBeUndefined();
    // A project saved with iterations lies over the preset, and under a time chosen at the start.
    const saved = expectValid(
      'createProject',
      f.answer('createProject', { name: 'Saved', settings: { iterations: 300 } }),
    );
    expect(start(saved.id, { preset: 'quick' })).toMatchObject({ iterations: 300 });
    const chosen = start(saved.id, { preset: 'quick', settings: { minutes: 5 } });
    expect(chosen.minutes).toBe(5);
    expect(chosen.iterations).toBeUndefined();
    // The saved project is left as it is.
    expect(expectValid('openProject', f.answer('openProject', { projectId: saved.id })).project.settings).toEqual({
      iterations: 300,
    });
  });

  it('reports an answer the contract refuses instead of handing it to the window', async () => {
    fake = createFakeDuet({}, { listPresets: () => [{ name: 'fastest', description: 'x', settings: {} }] as never });
    expect(() => expectValid('listPresets', fake?.answer('listPresets'))).toThrow(/fake listPresets answered/);
    await expect(fake.api.listPresets()).rejects.toMatchObject({ code: 'invalid-response' });
    expect(fake.breaches).toEqual([expect.stringMatching(/invalid listPresets response: 0\.name/)]);
  });

  it('drops and reports an event the contract refuses', () => {
    fake = createFakeDuet();
    const seen: unknown[] = [];
    fake.api.onRunEvent((e) => seen.push(e));
    fake.api.onEngineStatus((e) => seen.push(e));
    fake.push('engine', { state: 'exited', code: 1, signal: null, message: 'engine crashed' });
    fake.push('run', { type: 'progress', runId: 'run-1', iteration: 3 } as never);
    expect(seen).toEqual([{ state: 'exited', code: 1, signal: null, message: 'engine crashed' }]);
    expect(fake.breaches).toEqual([expect.stringMatching(/^run event .*"iteration":3/)]);
  });
});
