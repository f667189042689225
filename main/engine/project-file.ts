/**
 * `projects/<id>/project.json`: the one module that reads and writes it. The window's project store
 * (service/projects.ts) and a run started from folders (runs/run.ts, which makes the project it needs)
 * both go through here, so the file has one shape, one writer, and is validated on every read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DuetError, describeZodError, type Project, ProjectSchema } from '#contract';
import { writeJsonAtomic } from './atomic-files.js';
import { projectFile } from './runs/layout.js';

export interface NewProject {
  id: string;
  name: string;
  domainA: string | null;
  domainB: string | null;
  model: Project['model'];
  settings?: Project['settings'];
  sample?: boolean;
}

/** A project as it is first written: created now, with only the settings the user chose. */
export function newProject(input: NewProject): Project {
  return ProjectSchema.parse({
    id: input.id,
    name: input.name.trim(),
    createdAt: new Date().toISOString(),
    domainA: input.domainA,
    domainB: input.domainB,
    model: input.model,
    settings: input.settings ?? {},
    sample: input.sample ?? false,
  });
}

/** The path of a project's file; an id that could leave the workspace is an invalid request. */
function fileOf(workspace: string, id: string): string {
  try {
    return projectFile(workspace, id);
  } catch (err) {
    throw new DuetError('invalid-request', (err as Error).message);
  }
}

/** Read and validate a project's file: 'not-found' when it has none, 'failed' naming what is wrong otherwise. */
export async function readProject(workspace: string, id: string): Promise<Project> {
  const file = fileOf(workspace, id);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DuetError('not-found', `No project "${id}".`);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DuetError('failed', `Project "${id}" has an invalid project.json (not valid JSON).`);
  }
  const parsed = ProjectSchema.safeParse(json);
  if (!parsed.success) {
    throw new DuetError('failed', `Project "${id}" has an invalid project.json (${describeZodError(parsed.error)}).`);
  }
  return parsed.data;
}

/** Validate and write a project's file atomically, making its folder when it is new. */
export async function writeProject(workspace: string, project: Project): Promise<Project> {
  const valid = ProjectSchema.parse(project);
  const file = fileOf(workspace, valid.id);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeJsonAtomic(file, valid);
  return valid;
}

/** Write the project when it has no file yet; an existing project is left as it is. */
export async function ensureProject(workspace: string, input: NewProject): Promise<void> {
  try {
    await fs.access(fileOf(workspace, input.id));
    return;
  } catch (err) {
    if (err instanceof DuetError) throw err;
    // no file yet: create it below
  }
  await writeProject(workspace, newProject(input));
}
