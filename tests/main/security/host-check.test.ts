import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  hostHeaderAllowed,
  hostHeaderName,
  isLoopbackAddress,
  isLoopbackBind,
} from '../../../main/security/host-check.js';
import { checkBindAddress, RemoteBindRefused } from '../../../main/security/remote-bind.js';

const withHost = (host?: string) => ({ headers: host === undefined ? {} : { host } }) as unknown as IncomingMessage;

describe('the Host check (finding 5: DNS rebinding names)', () => {
  it('refuses DNS names that merely start with 127. while bound to loopback', () => {
    for (const h of [
      '127.evil.example',
      '127.0.0.1.nip.io',
      '127.0.0.1.nip.io:4789',
      '127.1.evil:80',
      'evil.example',
    ]) {
      expect(hostHeaderAllowed('127.0.0.1', withHost(h)), h).toBe(false);
    }
  });

  it('accepts exact loopback names and loopback address literals', () => {
    for (const h of [
      '127.0.0.1',
      '127.0.0.1:4789',
      '127.8.9.10:1',
      'localhost',
      'LOCALHOST:80',
      '[::1]',
      '[::1]:4789',
    ]) {
      expect(hostHeaderAllowed('127.0.0.1', withHost(h)), h).toBe(true);
    }
  });

  it('refuses missing and malformed Host headers', () => {
    for (const h of [undefined, '', '[::1', '[::1]x', 'a:b:c', 'localhost:port']) {
      expect(hostHeaderAllowed('127.0.0.1', withHost(h)), String(h)).toBe(false);
    }
    expect(hostHeaderName('[::1]:80')).toBe('::1');
  });

  it('bound beyond loopback, takes IP literals but still no DNS names', () => {
    expect(hostHeaderAllowed('0.0.0.0', withHost('192.168.1.20:4789'))).toBe(true);
    expect(hostHeaderAllowed('0.0.0.0', withHost('[fe80::1]:4789'))).toBe(true);
    expect(hostHeaderAllowed('0.0.0.0', withHost('attacker.example'))).toBe(false);
    expect(hostHeaderAllowed('127.0.0.1', withHost('192.168.1.20'))).toBe(false);
  });

  it('knows loopback binds by address, not by prefix', () => {
    expect(isLoopbackBind('127.0.0.1')).toBe(true);
    expect(isLoopbackBind('127.2.3.4')).toBe(true);
    expect(isLoopbackBind('::1')).toBe(true);
    expect(isLoopbackBind('localhost')).toBe(true);
    expect(isLoopbackBind('127.evil.example')).toBe(false);
    expect(isLoopbackBind('0.0.0.0')).toBe(false);
    expect(isLoopbackAddress('0:0:0:0:0:0:0:1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::2')).toBe(false);
  });
});

describe('binding beyond loopback (finding 5: no opt-in)', () => {
  it('is refused without --allow-remote, and warns with it', () => {
    expect(checkBindAddress('127.0.0.1', false)).toBeNull();
    expect(() => checkBindAddress('0.0.0.0', false)).toThrow(RemoteBindRefused);
    expect(() => checkBindAddress('0.0.0.0', false)).toThrow(/--allow-remote/);
    expect(checkBindAddress('0.0.0.0', true)).toMatch(/warning: listening on 0\.0\.0\.0/);
  });
});
