/**
 * Duet's contract, imported everywhere by one name (`#contract`, package.json "imports"): every request,
 * response and event as zod schemas and the types inferred from them, the operation table, and the two
 * clients of it (the preload bridge and `duet serve`'s WebSocket). Pure TypeScript: no Node, no Electron.
 */
export * from './api.js';
export * from './client.js';
export * from './connect.js';
export * from './schemas.js';
export * from './ws-client.js';
