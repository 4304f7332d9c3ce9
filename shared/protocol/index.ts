/**
 * The socket.io protocol, typed once and used by the server and the browser.
 * Each feature declares its events in its own file; these maps join them.
 * Every inbound payload also has a zod schema next to its type.
 */
import type { RoomClientEvents, RoomServerEvents } from './room.ts';
import type { SummaryClientEvents, SummaryServerEvents } from './summary.ts';
import type { MediaClientEvents, MediaServerEvents } from './media.ts';
import type { PromptsClientEvents, PromptsServerEvents } from './prompts.ts';

/** Bumped on any incompatible change; a client with another version is told to reload. */
export const PROTOCOL_VERSION = 1;

export type * from './room.ts';
export { joinSession, sessionId } from './room.ts';
export type { Ack } from './ack.ts';
export type * from './summary.ts';
export { endSession, endCheck, unsyncedReply } from './summary.ts';
export type * from './prompts.ts';

export interface ClientToServerEvents extends RoomClientEvents, SummaryClientEvents, MediaClientEvents, PromptsClientEvents {}
export interface ServerToClientEvents extends RoomServerEvents, SummaryServerEvents, MediaServerEvents, PromptsServerEvents {}
