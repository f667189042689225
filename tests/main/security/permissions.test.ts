import { describe, expect, it } from 'vitest';
import { denyAllPermissions, type PermissionSession } from '../../../main/security/permissions.js';

describe('session permissions', () => {
  it('refuses every permission request and answers every permission check "not granted"', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const session: PermissionSession = {
      setPermissionRequestHandler: (h) => {
        if (h) handlers.request = h as never;
      },
      setPermissionCheckHandler: (h) => {
        if (h) handlers.check = h as never;
      },
      setDevicePermissionHandler: (h) => {
        if (h) handlers.device = h as never;
      },
    };
    denyAllPermissions(session);
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      (handlers.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)(null, p, (g) => answers.push(g));
      answers.push((handlers.check as (wc: unknown, p: string) => boolean)(null, p));
    }
    expect(answers).toEqual(new Array(8).fill(false));
    expect((handlers.device as (d: unknown) => boolean)({})).toBe(false);
  });
});
