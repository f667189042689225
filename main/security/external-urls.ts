/**
 * Checklist: `shell.openExternal` only for allow-listed URLs (DESIGN.md §6).
 *
 * Links the window may open in the user's browser: https only, on these hosts only. Anything else —
 * another scheme (file:, javascript:, smb:), a look-alike host, credentials in the URL — is refused.
 */
export const EXTERNAL_URL_HOSTS: readonly string[] = [
  'github.com',
  'junyanz.github.io',
  'www.tensorflow.org',
  'js.tensorflow.org',
  'developer.nvidia.com',
  'arxiv.org',
];

export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return false;
  return EXTERNAL_URL_HOSTS.includes(u.hostname.toLowerCase());
}
