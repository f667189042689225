import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  inputFolderHolding,
  type PlanOptions,
  type ProbedInput,
  planWork,
} from '../../../../main/engine/translate/plan.js';

const out = path.resolve('/out');
const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  naming: '{name}',
  format: 'png',
  direction: 'AtoB',
  modelLabel: 'maps',
  outDir: out,
  ...over,
});
const image = (file: string, width = 4, height = 2): ProbedInput => ({
  path: path.resolve('/in', file),
  relative: file,
  size: { width, height },
});

describe('planWork', () => {
  it('mirrors each input’s folder under the output folder and counts the pixels to translate', () => {
    const plan = planWork([image('a.jpg', 10, 10), image('city/b.png', 3, 2)], options());
    expect(plan.todo.map((t) => t.output)).toEqual([path.join(out, 'a.png'), path.join(out, 'city', 'b.png')]);
    expect(plan.todo[1]).toMatchObject({ width: 3, height: 2, relative: 'city/b.png' });
    expect(plan.totalPixels).toBe(106);
    expect(plan.failed).toEqual([]);
  });

  it('lists unreadable inputs with their reason, and {index} still counts them', () => {
    const bad: ProbedInput = { path: path.resolve('/in/notes.txt'), relative: 'notes.txt', problem: 'not an image' };
    const plan = planWork([bad, image('a.png'), image('b.png')], options({ naming: '{index}' }));
    expect(plan.failed).toEqual([{ path: bad.path, reason: 'not an image' }]);
    expect(plan.todo.map((t) => path.basename(t.output))).toEqual(['2.png', '3.png']);
  });

  it('gives every output one writer: a second input that would write the same file is refused, saying how to fix it', () => {
    const plan = planWork([image('a.jpg'), image('a.png'), image('b.png')], options());
    expect(plan.todo.map((t) => t.relative)).toEqual(['a.jpg', 'b.png']);
    expect(plan.failed).toEqual([
      {
        path: path.resolve('/in/a.png'),
        reason: `${path.resolve('/in/a.jpg')} already writes ${path.join(out, 'a.png')}; use {index} or {ext} in the naming pattern`,
      },
    ]);
    expect(planWork([image('a.jpg'), image('a.png')], options({ naming: '{name}_{ext}' })).failed).toEqual([]);
  });

  it('never names an output over an input image', () => {
    const inputs = [image('a.png')];
    const plan = planWork(inputs, options({ outDir: path.resolve('/in') }));
    expect(plan.todo).toEqual([]);
    expect(plan.failed[0]?.reason).toBe(`its output ${path.resolve('/in/a.png')} would overwrite an input image`);
  });
});

describe('inputFolderHolding', () => {
  it('finds the input folder an output folder lies in', () => {
    const roots = [path.resolve('/data/a'), path.resolve('/data/b')];
    expect(inputFolderHolding(path.resolve('/data/b/out'), roots)).toBe(path.resolve('/data/b'));
    expect(inputFolderHolding(path.resolve('/data/b'), roots)).toBe(path.resolve('/data/b'));
    expect(inputFolderHolding(path.resolve('/data/bb'), roots)).toBeUndefined();
  });
});

describe('etaSeconds', () => {
  it('extrapolates by pixels done, not images done', () => {
    expect(etaSeconds(10, 250, 1000)).toBe(30);
    expect(etaSeconds(10, 1000, 1000)).toBe(0);
    expect(etaSeconds(0, 0, 1000)).toBeNull();
    expect(etaSeconds(5, 0, 0)).toBeNull();
  });
});
