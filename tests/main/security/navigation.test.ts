import { describe, expect, it } from 'vitest';
import { createQuitGuard } from '../../../main/electron/quit.js';
import { contentSecurityPolicy } from '../../../main/security/csp.js';
import { blockNavigation, type GuardedContents } from '../../../main/security/navigation.js';
import { secureWebPreferences } from '../../../main/security/web-preferences.js';
import { RecordingEngine } from '../../support/recording-engine.js';

function fakeContents() {
  const listeners: Record<string, (e: { preventDefault(): void; url: string }, url?: string) => void> = {};
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents: GuardedContents = {
    on: (event, l) => {
      listeners[event] = l;
    },
    setWindowOpenHandler: (h) => {
      openHandler = h;
    },
  };
  const navigate = (event: string, url: string) => {
    let prevented = false;
    listeners[event]?.({ url, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { contents, navigate, open: (url: string) => openHandler?.({ url }) };
}

describe('navigation guard', () => {
  it('cancels navigation and redirects away from the app, allows in-app ones', () => {
    const f = fakeContents();
    blockNavigation(f.contents, ['duet-app://app'], () => undefined);
    expect(f.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(f.navigate('will-redirect', 'https://github.com/')).toBe(true);
    expect(f.navigate('will-navigate', 'duet-app://app/index.html#/runs')).toBe(false);
  });

  it('denies every new window; allow-listed links go to the browser instead', () => {
    const f = fakeContents();
    const external: string[] = [];
    blockNavigation(f.contents, ['duet-app://app'], (u) => external.push(u));
    expect(f.open('https://github.com/junyanz')).toEqual({ action: 'deny' });
    expect(f.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(f.open('duet-app://app/index.html')).toEqual({ action: 'deny' });
    expect(external).toEqual(['https://github.com/junyanz']);
  });
});

describe('window security settings', () => {
  it('isolates the page from Node and Electron', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('sends a CSP that allows only the app itself, its media scheme and no eval', () => {
    const csp = contentSecurityPolicy({ mediaScheme: 'duet-media' });
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).toMatch(/img-src 'self' data: blob: duet-media:/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
  });
});

describe('quit while training', () => {
  it('holds the quit until the engine stopped with a checkpoint, then exits', async () => {
    const engine = new RecordingEngine('/ws');
    let release: () => void = () => undefined;
    engine.shutdown = (reason = '') =>
      new Promise<void>((resolve) => {
        engine.shutdowns.push(reason);
        release = resolve;
      });
    const exits: number[] = [];
    const guard = createQuitGuard({ engine, exit: (c) => exits.push(c) });
    let prevented = 0;
    guard({ preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
    expect(engine.shutdowns).toEqual(['quit']);
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual([]);
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual([0]);
  });

  it('a second quit while stopping forces the exit', () => {
    const engine = new RecordingEngine('/ws');
    engine.shutdown = () => new Promise<void>(() => undefined);
    const exits: number[] = [];
    const guard = createQuitGuard({ engine, exit: (c) => exits.push(c) });
    guard({ preventDefault: () => undefined });
    guard({ preventDefault: () => undefined });
    expect(exits).toEqual([1]);
  });
});
