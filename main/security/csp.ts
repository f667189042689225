/**
 * Checklist: a strict Content-Security-Policy, sent as a header (DESIGN.md §6).
 *
 * Scripts and styles only from the app itself; images from the app, the media protocol and data/blob
 * URLs (canvas exports); connections only back to the app (the serve WebSocket). No eval, no plugins,
 * no framing.
 */
export function contentSecurityPolicy(options: { mediaScheme?: string; dev?: boolean } = {}): string {
  const media = options.mediaScheme ? ` ${options.mediaScheme}:` : '';
  // Vite's dev server injects a React refresh preamble inline and talks to its own WebSocket.
  const devScript = options.dev ? " 'unsafe-inline'" : '';
  const devConnect = options.dev ? ' ws: http://localhost:*' : '';
  return [
    "default-src 'none'",
    `script-src 'self'${devScript}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${media}`,
    "font-src 'self' data:",
    `connect-src 'self'${devConnect}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
