/**
 * Socket requests, served by the protocol's map: `handle(socket, log, name, fn)`
 * finds the payload schema by the event's name, checks every payload against
 * it, and turns errors into an ack with a code (logged with context) instead
 * of an exception that reaches socket.io. `serveRequests` is the socket's last
 * middleware: it runs the handler of a known request and answers anything
 * else `unknown_event`, so a crafted packet never reaches a listener.
 */
import type { Logger } from '../log/index.ts';
import { clientRequests, isRequestName, type Answer, type ParsedPayload, type RequestName } from '../../shared/protocol/index.ts';
import { fail, type Result } from '../../shared/result.ts';
import type { RoomSocket } from './index.ts';

type Reply = (answer: Result<unknown>) => void;
type Serve = (payload: unknown, reply: Reply) => Promise<void>;

const served = new WeakMap<RoomSocket, Map<RequestName, Serve>>();

function handlersOf(socket: RoomSocket): Map<RequestName, Serve> {
	let handlers = served.get(socket);
	if (!handlers) served.set(socket, (handlers = new Map()));
	return handlers;
}

export function handle<K extends RequestName>(
	socket: RoomSocket,
	log: Logger,
	name: K,
	fn: (payload: ParsedPayload<K>) => Promise<Answer<K>> | Answer<K>
): void {
	const schema = clientRequests[name].payload;
	handlersOf(socket).set(name, async (payload, reply) => {
		const parsed = schema.safeParse(payload);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			reply(fail('invalid_input', `Invalid ${name} request: ${issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'bad payload'}`));
			return;
		}
		try {
			reply(await fn(parsed.data));
		} catch (err) {
			log.error({ err, event: name, socket: socket.id, user: socket.data.user?.id }, 'socket handler failed');
			reply(fail('internal', 'Something went wrong on our side; please try again.'));
		}
	});
}

/** Installs the dispatch of requests; call it after every other middleware (rate limits) is in place. */
export function serveRequests(socket: RoomSocket, log: Logger): void {
	const handlers = handlersOf(socket);
	// Never calls next(): requests end here, so no socket.io listener ever sees a client packet.
	socket.use(([name, ...args]) => {
		const ack: unknown = args.at(-1);
		const context = { event: String(name).slice(0, 100), socket: socket.id, user: socket.data.user.id };
		// Every request expects an ack; without one there is nobody to answer.
		if (typeof ack !== 'function') return log.debug(context, 'socket event without an ack ignored');
		const reply: Reply = (answer) => ack(answer);
		const serve = isRequestName(name) ? handlers.get(name) : undefined;
		if (!serve) {
			log.warn(context, 'unknown socket event');
			return reply(fail('unknown_event', `The server does not know the request "${context.event}"; reload the page if this keeps happening.`));
		}
		void serve(args.length > 1 ? args[0] : undefined, reply);
	});
}
