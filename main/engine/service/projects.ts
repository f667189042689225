/**
 * Projects on disk: `projects/<id>/project.json` in the workspace (DESIGN.md §3). A project names its
 * two domain folders (read only, never written), its model type and its settings.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuetError, type Project } from '#contract';
import { newProject, readProject, writeProject } from '../project-file.js';
import { projectDir, projectsDir, slugify } from '../runs/layout.js';

export interface CreateProjectInput {
  name: string;
  domainA?: string | null;
  domainB?: string | null;
  model?: Project['model'];
  settings?: Project['settings'];
  sample?: boolean;
}

export interface ProjectPatch {
  name?: string;
  domainA?: string | null;
  domainB?: string | null;
  model?: Project['model'];
  settings?: Project['settings'];
}

/** A domain folder must exist and be a folder; it is stored as an absolute path. */
async function checkDomain(label: 'A' | 'B', folder: string | null | undefined): Promise<string | null> {
  if (folder === undefined || folder === null) return null;
  const abs = path.resolve(folder);
  let isDir = false;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    throw new DuetError('not-found', `Domain ${label} folder does not exist: ${abs}`);
  }
  if (!isDir) throw new DuetError('invalid-request', `Domain ${label} must be a folder, not a file: ${abs}`);
  return abs;
}

export class ProjectStore {
  constructor(private readonly workspace: string) {}

  async list(): Promise<Project[]> {
    let names: string[];
    try {
      names = await readdir(projectsDir(this.workspace));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const projects: Project[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      try {
        projects.push(await this.get(name));
      } catch (err) {
        // One unreadable project must not hide the others; say which and why.
        process.stderr.write(`duet: skipping project folder "${name}": ${(err as Error).message}\n`);
      }
    }
    return projects.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): Promise<Project> {
    return readProject(this.workspace, id);
  }

  async create(input: CreateProjectInput): Promise<Project> {
    const domainA = await checkDomain('A', input.domainA);
    const domainB = await checkDomain('B', input.domainB);
    const base = slugify(input.name, 'project');
    const id = `${base}-${randomBytes(3).toString('hex')}`;
    return writeProject(
      this.workspace,
      newProject({
        id,
        name: input.name,
        domainA,
        domainB,
        model: input.model ?? 'cyclegan',
        settings: input.settings,
        sample: input.sample,
      }),
    );
  }

  async update(id: string, patch: ProjectPatch): Promise<Project> {
    const current = await this.get(id);
    const next: Project = {
      ...current,
      name: patch.name?.trim() ?? current.name,
      domainA: patch.domainA === undefined ? current.domainA : await checkDomain('A', patch.domainA),
      domainB: patch.domainB === undefined ? current.domainB : await checkDomain('B', patch.domainB),
      model: patch.model ?? current.model,
      settings: patch.settings ?? current.settings,
    };
    return writeProject(this.workspace, next);
  }

  /** Removes the project's folder in the workspace (runs, checkpoints); its domain folders are untouched. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await rm(projectDir(this.workspace, id), { recursive: true, force: true });
  }
}
