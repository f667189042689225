import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertSafeId,
  checkpointDir,
  isTempCheckpointName,
  makeRunId,
  padIteration,
  parseCheckpointName,
  runDir,
  runPaths,
  samplePath,
  slugify,
  tempCheckpointDir,
  workspaceRelative,
} from '../../../../main/engine/runs/layout.js';

describe('run layout', () => {
  it('places a run under its project', () => {
    const dir = runDir('/ws', 'maps', '20261123-142501-quick');
    expect(dir).toBe(path.join('/ws', 'projects', 'maps', 'runs', '20261123-142501-quick'));
    const p = runPaths(dir);
    expect(p.config).toBe(path.join(dir, 'config.json'));
    expect(p.metrics).toBe(path.join(dir, 'metrics.jsonl'));
    expect(samplePath(dir, 100)).toBe(path.join(dir, 'samples', '00000100.png'));
    expect(checkpointDir(dir, 2000)).toBe(path.join(dir, 'checkpoints', '00002000'));
  });

  it('iteration names sort in order as plain strings', () => {
    const names = [10, 9, 1000, 100].map(padIteration).sort();
    expect(names.map(Number)).toEqual([9, 10, 100, 1000]);
    expect(() => padIteration(-1)).toThrow(/Invalid iteration/);
  });

  it('tells finished checkpoint folders from temp ones', () => {
    const temp = path.basename(tempCheckpointDir('/r', 5, 'abc'));
    expect(isTempCheckpointName(temp)).toBe(true);
    expect(parseCheckpointName(temp)).toBeUndefined();
    expect(parseCheckpointName('00000005')).toBe(5);
    expect(parseCheckpointName('manifest.json')).toBeUndefined();
  });

  it('refuses ids that could leave the workspace', () => {
    for (const bad of ['..', '../x', 'a/b', '', '.hidden', 'a\\b', 'x'.repeat(200)]) {
      expect(() => assertSafeId('run', bad)).toThrow(/Invalid run id/);
    }
    expect(() => runDir('/ws', '../etc', 'r')).toThrow(/Invalid project id/);
    expect(() => assertSafeId('project', 'maps_2.v1')).not.toThrow();
  });

  it('makes readable, sortable run ids', () => {
    const id = makeRunId('Horses → Zebras!', new Date('2026-11-23T14:25:01.123Z'));
    expect(id).toBe('20261123-142501-horses-zebras');
    expect(() => assertSafeId('run', id)).not.toThrow();
    expect(slugify('   ')).toBe('run');
    expect(slugify('Été à Paris')).toBe('ete-a-paris');
  });

  it('gives workspace-relative paths with forward slashes', () => {
    expect(workspaceRelative('/ws', path.join('/ws', 'projects', 'p', 'x.png'))).toBe('projects/p/x.png');
  });
});
