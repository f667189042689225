/**
 * DuetHost's share of the media rules (finding 2): which folders become media roots. Only user actions
 * widen them — the native dialog and a project the user opens — never a path the page merely sends.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DUET_OPERATIONS } from '#contract';
import { DuetHost } from '../../main/host.js';
import { MediaRoots } from '../../main/security/media-path.js';
import { JsonSettingsStore } from '../../main/settings.js';
import { project, RecordingEngine } from '../support/recording-engine.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Answers project operations with the domains the request named, as the real engine does. */
class EchoProjectsEngine extends RecordingEngine {
  domains: { domainA: string | null; domainB: string | null } = { domainA: null, domainB: null };
  override async request(op: string, payload?: unknown): Promise<unknown> {
    const answer = await super.request(op, payload);
    const p = payload as { domainA?: string; domainB?: string };
    if (op === 'createProject' || op === 'updateProject') {
      this.domains = { domainA: p.domainA ?? null, domainB: p.domainB ?? null };
      return { ...project, ...this.domains };
    }
    if (op === 'listProjects') return [{ ...project, ...this.domains }];
    if (op === 'openProject') return { ...(answer as object), project: { ...project, ...this.domains } };
    return answer;
  }
}

let roots: MediaRoots;
let host: DuetHost;
let engine: EchoProjectsEngine;
let workspace: string;
let picked: string;

beforeEach(() => {
  workspace = mkdtempSync(path.join(tmp, 'ws-'));
  picked = mkdtempSync(path.join(tmp, 'picked-'));
  engine = new EchoProjectsEngine(workspace);
  roots = new MediaRoots(workspace);
  host = new DuetHost({
    engine,
    settings: new JsonSettingsStore(path.join(workspace, 'settings.json')),
    mediaRoots: roots,
    transport: 'electron',
    version: '0.1.0',
    chooseFolder: async () => picked,
  });
});

const call = (op: keyof typeof DUET_OPERATIONS, payload?: unknown) => host.invoke(DUET_OPERATIONS[op].channel, payload);

describe('media roots come only from user actions', () => {
  it('a project created, updated, listed or scanned with /usr/share or / adds no root', async () => {
    await call('createProject', { name: 'x', domainA: '/usr/share', domainB: '/' });
    await call('updateProject', { projectId: project.id, domainA: '/usr/share' });
    await call('listProjects');
    await call('scanFolders', { a: '/usr/share', b: '/' });
    expect(roots.list()).toEqual([workspace]);
  });

  it('opening a project makes its folders roots, but never / or a system folder', async () => {
    const a = path.join(tmp, 'aerial');
    mkdirSync(a, { recursive: true });
    await call('createProject', { name: 'x', domainA: a, domainB: '/usr/share' });
    expect(roots.list()).toEqual([workspace]);
    await call('openProject', { projectId: project.id });
    expect(roots.list()).toEqual([workspace, a]);
  });

  it('a translation’s inputs and output folder sent by the page add no root', async () => {
    await call('startTranslate', {
      modelId: 'model-1',
      inputs: ['/usr/share/backgrounds'],
      outDir: '/etc',
      direction: 'AtoB',
    });
    expect(roots.list()).toEqual([workspace]);
  });

  it('a folder picked in the native dialog becomes a root', async () => {
    expect(await call('chooseFolder', {})).toEqual({ path: picked });
    expect(roots.list()).toEqual([workspace, picked]);
  });
});
