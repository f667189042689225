/**
 * Messages between a parent (Electron main, `duet serve`) and the engine process that owns TensorFlow.
 * Every message is validated on arrival on both sides; the engine never trusts its parent's payloads
 * beyond this shape, and the operation payloads themselves are validated against DuetApi's schemas.
 *
 *   parent → engine  { kind: 'request', id, op, payload }     op: a DuetApi operation or an internal one
 *                    { kind: 'shutdown', reason }            stop runs with a checkpoint, then exit
 *   engine → parent  { kind: 'ready', info }                 once, after the backend is up
 *                    { kind: 'response', id, ok: true, result } | { ..., ok: false, error }
 *                    { kind: 'event', event: 'run' | 'job', payload }
 *                    { kind: 'shutdown-complete' }
 */
import { z } from 'zod';
import { BackendReportSchema, DuetErrorPayloadSchema } from '#contract';

/** Operations the parent may ask that are not DuetApi operations. */
export const INTERNAL_OPS = {
  /** The engine's backend report and versions, for getSystemInfo. */
  info: '__engine:info',
  /** Tests only: exits the engine at once with the given code (simulates a crash). */
  crash: '__engine:crash',
  /** Tests only: destroys the WebGPU device as a driver reset would (simulates a lost device). */
  loseDevice: '__engine:lose-device',
  /** Whether any run is training now (quit asks before stopping). */
  activeRuns: '__engine:active-runs',
} as const;

export const EngineInfoSchema = z.object({
  pid: z.number().int(),
  workspace: z.string(),
  node: z.string(),
  backend: BackendReportSchema.nullable(),
  /** Why the backend could not start, when it could not. */
  backendError: z.string().optional(),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

export const ParentMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: z.number().int(), op: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('shutdown'), reason: z.string() }),
]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

export const EngineMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), info: EngineInfoSchema }),
  z.object({
    kind: z.literal('response'),
    id: z.number().int(),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: DuetErrorPayloadSchema.optional(),
  }),
  z.object({ kind: z.literal('event'), event: z.enum(['run', 'job']), payload: z.unknown() }),
  z.object({ kind: z.literal('shutdown-complete') }),
  z.object({ kind: z.literal('fatal'), message: z.string() }),
]);
export type EngineMessage = z.infer<typeof EngineMessageSchema>;

/** Environment variables the parent passes to the engine. */
export const ENGINE_ENV = {
  workspace: 'DUET_ENGINE_WORKSPACE',
  backend: 'DUET_ENGINE_BACKEND',
} as const;
