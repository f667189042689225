import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerToken, explicitToken, presentedToken, TOKEN_COOKIE } from '../../../main/security/token.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const url = (q = '') => new URL(`http://127.0.0.1/x${q}`);

describe('the serve token (finding 1: a malformed cookie)', () => {
  it('reads a malformed percent-escape in the cookie as no token instead of throwing', () => {
    for (const bad of ['%', '%E0%A4%A', '%zz', 'abc%']) {
      expect(() => presentedToken(req({ cookie: `${TOKEN_COOKIE}=${bad}` }), url())).not.toThrow();
      expect(presentedToken(req({ cookie: `${TOKEN_COOKIE}=${bad}` }), url())).toBeUndefined();
    }
    expect(presentedToken(req({ cookie: `a=b; ${TOKEN_COOKIE}=t%2Bk` }), url())).toBe('t+k');
  });

  it('keeps the cookie out of the explicit token API calls need (finding 5)', () => {
    const r = req({ cookie: `${TOKEN_COOKIE}=secret` });
    expect(presentedToken(r, url())).toBe('secret');
    expect(explicitToken(r, url())).toBeUndefined();
    expect(explicitToken(r, url('?token=q'))).toBe('q');
    expect(bearerToken(req({ authorization: 'Bearer  b ' }))).toBe('b');
    expect(bearerToken(req({ authorization: 'Basic b' }))).toBeUndefined();
  });
});
