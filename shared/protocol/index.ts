/**
 * The socket.io protocol, typed once and used by the server and the browser.
 * Each feature declares its requests and events (zod schemas) in its own
 * file; `events.ts` joins them into one map per direction and infers the
 * types of both ends from them.
 */
export * from './events.ts';
export type * from './room.ts';
export { sessionId, participantRole } from './room.ts';
export type * from './summary.ts';
export { unsyncedReply } from './summary.ts';
export type * from './prompts.ts';
export type * from './media.ts';
export type * from './e2ee.ts';
export type * from './direct.ts';
