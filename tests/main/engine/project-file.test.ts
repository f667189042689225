import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, readProject } from '../../../main/engine/project-file.js';
import { ProjectStore } from '../../../main/engine/service/projects.js';

let tmp: string;
let workspace: string;
let dataA: string;
let dataB: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-project-file-'));
  workspace = path.join(tmp, 'ws');
  dataA = path.join(tmp, 'maps', 'trainA');
  dataB = path.join(tmp, 'maps', 'trainB');
  await fs.mkdir(dataA, { recursive: true });
  await fs.mkdir(dataB, { recursive: true });
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

const fileOf = (id: string) => path.join(workspace, 'projects', id, 'project.json');

describe('project.json', () => {
  it('is the same file whether the window creates the project or a run started from folders does', async () => {
    const created = await new ProjectStore(workspace).create({
      name: 'maps',
      domainA: dataA,
      domainB: dataB,
      model: 'pix2pix',
    });
    await ensureProject(workspace, { id: 'maps', name: 'maps', domainA: dataA, domainB: dataB, model: 'pix2pix' });
    const fromStore = await fs.readFile(fileOf(created.id), 'utf8');
    const fromRun = await fs.readFile(fileOf('maps'), 'utf8');
    // Same keys, same order, same formatting; only the id and the time of creation differ.
    const comparable = (text: string) =>
      text.replace(/"id": "[^"]*"/, '"id": "ID"').replace(/"createdAt": "[^"]*"/, '"createdAt": "TIME"');
    expect(comparable(fromRun)).toBe(comparable(fromStore));
    expect(await readProject(workspace, 'maps')).toMatchObject({ id: 'maps', domainA: dataA, settings: {} });
  });

  it('leaves an existing project as it is when a run makes sure of it', async () => {
    await ensureProject(workspace, { id: 'kept', name: 'First', domainA: dataA, domainB: null, model: 'cyclegan' });
    await ensureProject(workspace, { id: 'kept', name: 'Second', domainA: dataB, domainB: null, model: 'pix2pix' });
    expect(await readProject(workspace, 'kept')).toMatchObject({ name: 'First', domainA: dataA, model: 'cyclegan' });
  });

  it('is validated on read, naming what is wrong', async () => {
    await fs.mkdir(path.dirname(fileOf('torn')), { recursive: true });
    await fs.writeFile(fileOf('torn'), '{"id": "torn", ');
    await expect(readProject(workspace, 'torn')).rejects.toMatchObject({
      code: 'failed',
      message: 'Project "torn" has an invalid project.json (not valid JSON).',
    });
    await fs.mkdir(path.dirname(fileOf('odd')), { recursive: true });
    await fs.writeFile(fileOf('odd'), JSON.stringify({ id: 'odd', name: 'Odd', model: 'not-a-model' }));
    await expect(readProject(workspace, 'odd')).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/^Project "odd" has an invalid project.json \(.*model/),
    });
    await expect(readProject(workspace, 'absent')).rejects.toMatchObject({ code: 'not-found' });
    await expect(readProject(workspace, '../escape')).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
