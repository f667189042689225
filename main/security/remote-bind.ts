/**
 * Checklist: `duet serve` binds loopback by default (DESIGN.md §6) — any other address only with an
 * explicit `--allow-remote`, and then always with a warning on stderr (also under `--json`).
 */
import { isLoopbackBind } from './host-check.js';

export class RemoteBindRefused extends Error {
  constructor(host: string) {
    super(
      `Refusing to listen on ${host}: that exposes Duet beyond this machine. ` +
        'Pass --allow-remote as well if that is what you want (anyone who reaches it with the token can use Duet).',
    );
    this.name = 'RemoteBindRefused';
  }
}

/** The warning to print for a bind address, or null for loopback; throws RemoteBindRefused without the opt-in. */
export function checkBindAddress(host: string, allowRemote: boolean): string | null {
  if (isLoopbackBind(host)) return null;
  if (!allowRemote) throw new RemoteBindRefused(host);
  return (
    `duet: warning: listening on ${host}, beyond this machine. Anyone who can reach it and has the token ` +
    'can use Duet and read its workspace; traffic is plain HTTP.'
  );
}
