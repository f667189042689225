/**
 * Checklist: the `duet serve` API takes only what a script or the page sends on purpose — a JSON body
 * (`Content-Type: application/json`, which a cross-site form or a "simple" fetch cannot send without a
 * preflight) and the token in an `Authorization: Bearer` header, never the cookie a browser attaches.
 */
import type { IncomingMessage } from 'node:http';
import { bearerToken, tokenMatches } from './token.js';

export type ApiRefusal = { status: 401 | 415; message: string };

/** Null when the request may reach the API; otherwise the status and the reason. */
export function apiRequestRefusal(req: IncomingMessage, token: string): ApiRefusal | null {
  if (!tokenMatches(token, bearerToken(req))) {
    return {
      status: 401,
      message: 'API calls need the access token in an "Authorization: Bearer <token>" header.',
    };
  }
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json') {
    return { status: 415, message: 'API calls need "Content-Type: application/json".' };
  }
  return null;
}
