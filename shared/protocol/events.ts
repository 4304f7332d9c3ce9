/**
 * The socket protocol as data: one map per direction from event name to zod
 * schema. The TypeScript types of both ends are inferred from these maps, so
 * the server's handlers, the browser's requests and the schemas that check
 * payloads at run time cannot drift apart.
 *
 * - `clientRequests`: what a browser asks, each with its payload and the
 *   value of a successful ack. Every request is answered with a Result.
 * - `serverEvents`: what the server pushes.
 * - `serverQuestions`: what the server asks a page, with the answer it expects.
 */
import { z } from 'zod';
import { ERROR_CODES, type Failure, type Result } from '../result.ts';
import { roomEvents, roomRequests } from './room.ts';
import { summaryEvents, summaryQuestions, summaryRequests } from './summary.ts';
import { mediaEvents, mediaRequests } from './media.ts';
import { promptEvents, promptRequests } from './prompts.ts';
import { e2eeEvents, e2eeRequests } from './e2ee.ts';
import { directEvents, directRequests } from './direct.ts';

/** Bumped on any incompatible change; a page built for another version is told to reload. */
export const PROTOCOL_VERSION = 1;

const requests = { ...roomRequests, ...summaryRequests, ...mediaRequests, ...promptRequests, ...e2eeRequests, ...directRequests };
const events = { ...roomEvents, ...summaryEvents, ...mediaEvents, ...promptEvents, ...e2eeEvents, ...directEvents };
const questions = { ...summaryQuestions };

export type RequestName = keyof typeof requests;
/** What the sender writes. */
export type RequestPayload<K extends RequestName> = z.input<(typeof requests)[K]['payload']>;
/** What the handler receives, after its schema accepted it. */
export type ParsedPayload<K extends RequestName> = z.output<(typeof requests)[K]['payload']>;
/** The value of a successful ack. */
export type Reply<K extends RequestName> = z.output<(typeof requests)[K]['reply']>;
/** Every ack: the reply, or a failure with a code and a sentence. */
export type Answer<K extends RequestName> = Result<Reply<K>>;

export interface RequestSpec<K extends RequestName> {
	readonly payload: z.ZodType<ParsedPayload<K>, RequestPayload<K>>;
	readonly reply: z.ZodType<Reply<K>>;
}

// The same objects, seen through a mapped type: indexing it with a generic
// name keeps the name's own types (`handle<K>` and `request<K>` rely on it).
export const clientRequests: { readonly [K in RequestName]: RequestSpec<K> } = requests;

export function isRequestName(name: unknown): name is RequestName {
	return typeof name === 'string' && Object.hasOwn(clientRequests, name);
}

const failure = z.object({
	ok: z.literal(false),
	error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), field: z.string().optional(), fields: z.record(z.string(), z.string()).optional() })
});

/**
 * An ack as the protocol defines it: a failure with a known code, or a value
 * its reply schema accepts. Anything else (a server from another build, a
 * bug) is null, for the caller to report.
 */
export function readAnswer<K extends RequestName>(name: K, answer: unknown): Answer<K> | null {
	const failed = failure.safeParse(answer);
	if (failed.success) return { ok: false, error: failed.data.error satisfies Failure };
	if (typeof answer !== 'object' || answer === null || !('ok' in answer) || answer.ok !== true || !('value' in answer)) return null;
	const value = clientRequests[name].reply.safeParse(answer.value);
	return value.success ? { ok: true, value: value.data } : null;
}

export type ServerEventName = keyof typeof events;
export type ServerEventPayload<K extends ServerEventName> = z.output<(typeof events)[K]>;
export const serverEvents: { readonly [K in ServerEventName]: z.ZodType<ServerEventPayload<K>> } = events;

export type QuestionName = keyof typeof questions;
export type QuestionPayload<K extends QuestionName> = z.output<(typeof questions)[K]['payload']>;
export type QuestionReply<K extends QuestionName> = z.output<(typeof questions)[K]['reply']>;
export const serverQuestions = questions;

/** socket.io's view of the maps, so `Socket<…>` checks every emit and listener on both sides. */
export type ClientToServerEvents = {
	[K in RequestName]: (payload: RequestPayload<K>, ack: (answer: Answer<K>) => void) => void;
};
export type ServerToClientEvents = {
	[K in ServerEventName]: (msg: ServerEventPayload<K>) => void;
} & {
	[K in QuestionName]: (msg: QuestionPayload<K>, ack: (reply: QuestionReply<K>) => void) => void;
};

/** Data of the `connect_error` a refused handshake gives, by code. */
export interface HandshakeRefusal {
	code: 'unauthenticated' | 'unavailable' | 'outdated_client' | 'too_many_connections';
}
