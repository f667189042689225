/**
 * The built-in sample project: seeded aerial-photo and map tiles generated into the workspace
 * (`samples/<name>/`, train/test folders), so a new user can train something at once.
 */
import path from 'node:path';
import type { Project } from '#contract';
import { scanDataset } from '../dataset/scan.js';
import { generateSample } from '../sample/generate.js';
import type { ProjectStore } from './projects.js';

/** Small enough to generate in seconds on a laptop, big enough for the quick preset to show learning. */
export const SAMPLE_PROJECT = { count: 96, testCount: 16, size: 128 } as const;

export async function createSampleProject(workspace: string, projects: ProjectStore): Promise<Project> {
  const existing = (await projects.list()).filter((p) => p.sample).length;
  const seed = existing;
  const dir = path.join(workspace, 'samples', `aerial-maps-${seed}`);
  await generateSample({ dir, ...SAMPLE_PROJECT, seed, layout: 'train-test-folders' });
  const scan = await scanDataset(dir);
  return projects.create({
    name: existing ? `Sample: aerial photos ↔ maps (${existing + 1})` : 'Sample: aerial photos ↔ maps',
    domainA: dir,
    domainB: null,
    model: scan.pairing.suggestedModel,
    sample: true,
  });
}
