import type { ErrorInfo } from '../errors';

/*
 * The contract over a WebSocket, as JSON text frames:
 *   client → server  { id, name, req }                       a call
 *   server → client  { id, ok: true, value } | { id, ok: false, error }
 *   server → client  { event, payload }                      a Host event
 * The renderer's web client (renderer/src/api/wsClient.ts) speaks the other side.
 */
export type ClientMessage = { id: number; name: string; req: unknown };
export type ServerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ErrorInfo }
  | { event: string; payload: unknown };

/** Frames larger than this are refused before they are parsed. */
export const MAX_FRAME_BYTES = 1 << 20;
