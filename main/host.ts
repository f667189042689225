/**
 * DuetHost: the one place a request from the window is handled, whichever transport brought it (IPC in
 * the desktop app, WebSocket under `duet serve`). It validates the payload against the contract, runs
 * host operations itself (settings, system info, dialogs, links), forwards the rest to the engine,
 * validates the answer, and fans the engine's events out to subscribers.
 */

import {
  DUET_EVENTS,
  DUET_OPERATIONS,
  DuetError,
  type DuetEventName,
  type DuetOperationName,
  type DuetParsedRequest,
  type DuetResponse,
  operationForChannel,
  parseRequest,
  parseResponse,
} from '#contract';
import type { EngineLink } from './engine/process/in-process.js';
import { isAllowedExternalUrl } from './security/external-urls.js';
import type { MediaRoots } from './security/media-path.js';
import { publicSettings, type SettingsStore, touchRecentProject } from './settings.js';

export interface DuetHostOptions {
  engine: EngineLink;
  settings: SettingsStore;
  mediaRoots: MediaRoots;
  transport: 'electron' | 'serve';
  version: string;
  electronVersion?: string | null;
  /** Native folder dialog (desktop app); absent under serve, where the page asks for a typed path. */
  chooseFolder?: (request: DuetParsedRequest<'chooseFolder'>) => Promise<string | null>;
  /** Opens an allow-listed URL in the user's browser (desktop app). */
  openExternal?: (url: string) => Promise<void>;
  /** Called when the workspace or backend setting changed: the engine must restart to use them. */
  onEngineSettingsChanged?: (settings: { workspace?: string; backend: string }) => Promise<void>;
}

export type HostEventListener = (channel: string, payload: unknown) => void;

export class DuetHost {
  private readonly listeners = new Set<HostEventListener>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly o: DuetHostOptions) {
    this.detach.push(
      o.engine.onEvent((event, payload) => this.emit(event, payload)),
      o.engine.onStatus((status) => this.emit('engine', status)),
    );
  }

  /** Subscribe to every event channel; returns the unsubscribe. */
  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DuetEventName, payload: unknown): void {
    const def = DUET_EVENTS[event];
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) {
      process.stderr.write(`duet: dropped a malformed ${event} event from the engine\n`);
      return;
    }
    for (const l of this.listeners) l(def.channel, parsed.data);
  }

  /** Handle one request on a channel. Throws DuetError (invalid-request, not-available, ...). */
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    const name = operationForChannel(channel);
    if (!name) throw new DuetError('invalid-request', `Unknown channel "${channel}".`);
    return this.call(name, payload);
  }

  async call<K extends DuetOperationName>(name: K, payload: unknown): Promise<DuetResponse<K>> {
    const request = parseRequest(name, payload);
    const raw =
      DUET_OPERATIONS[name].runsIn === 'host' ? await this.host(name, request) : await this.engine(name, request);
    return parseResponse(name, raw);
  }

  private async host<K extends DuetOperationName>(name: K, request: DuetParsedRequest<K>): Promise<unknown> {
    const o = this.o;
    switch (name) {
      case 'getSystemInfo': {
        const info = await o.engine.engineInfo();
        return {
          duet: o.version,
          node: process.versions.node,
          electron: o.electronVersion ?? null,
          platform: `${process.platform}-${process.arch}`,
          workspace: info.workspace,
          backend: info.backend,
          transport: o.transport,
        };
      }
      case 'getSettings':
        return publicSettings(o.settings.get());
      case 'setSettings': {
        const before = o.settings.get();
        const after = o.settings.set(request as DuetParsedRequest<'setSettings'>);
        if ((before.workspace !== after.workspace || before.backend !== after.backend) && o.onEngineSettingsChanged) {
          await o.onEngineSettingsChanged({ workspace: after.workspace, backend: after.backend });
        }
        return publicSettings(after);
      }
      case 'chooseFolder': {
        if (!o.chooseFolder) return { path: null };
        const r = request as DuetParsedRequest<'chooseFolder'>;
        const chosen = await o.chooseFolder(r);
        // A folder picked in the native dialog is the user's choice: its images may be shown.
        if (r?.purpose !== 'import') o.mediaRoots.add(chosen);
        return { path: chosen };
      }
      case 'openExternal': {
        const { url } = request as DuetParsedRequest<'openExternal'>;
        if (!isAllowedExternalUrl(url)) {
          throw new DuetError('invalid-request', `Duet only opens links to its documentation sites, not ${url}`);
        }
        if (!o.openExternal) throw new DuetError('not-available', 'Opening links is done by the browser here.');
        await o.openExternal(url);
        return { ok: true };
      }
      default:
        throw new DuetError('failed', `${name} has no host handler.`);
    }
  }

  private async engine<K extends DuetOperationName>(name: K, request: DuetParsedRequest<K>): Promise<unknown> {
    const result = await this.o.engine.request(name, request);
    this.afterEngine(name, request, result);
    return result;
  }

  /**
   * Bookkeeping on the host side: recent projects, and the folders of a project the user opened become
   * media roots. Paths the page merely sends (a scan, a new project, a translation) never do: roots come
   * from user actions (main/security/media-roots.ts).
   */
  private afterEngine(name: DuetOperationName, request: unknown, result: unknown): void {
    switch (name) {
      case 'openProject': {
        const { project } = result as DuetResponse<'openProject'>;
        this.o.mediaRoots.add(project.domainA);
        this.o.mediaRoots.add(project.domainB);
        touchRecentProject(this.o.settings, project.id);
        break;
      }
      case 'deleteProject': {
        const { projectId } = request as DuetParsedRequest<'deleteProject'>;
        const recent = this.o.settings.get().recentProjects;
        if (recent.includes(projectId)) this.o.settings.set({ recentProjects: recent.filter((p) => p !== projectId) });
        break;
      }
      default:
        break;
    }
  }

  dispose(): void {
    for (const d of this.detach) d();
    this.listeners.clear();
  }
}
