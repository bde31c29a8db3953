/*
 * Web mode speaks the contract's wire format (engine/wireContract.ts) as JSON text frames: a
 * WireCall from the client, a WireReply or a WireEvent from the server. The renderer's web client
 * (renderer/src/api/wsClient.ts) speaks the other side with the same types.
 */
export type { ServerMessage, WireCall } from '../wireContract';

/** Frames larger than this are refused before they are parsed. */
export const MAX_FRAME_BYTES = 1 << 20;
