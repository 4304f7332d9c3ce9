/**
 * Wraps a socket event handler with what every event needs: an ack function,
 * a schema check of the payload, and errors turned into an ack with a code
 * (logged with context) instead of an exception that reaches socket.io.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../log/index.ts';
import { fail, type Result } from '../../shared/result.ts';

export function handle<S extends z.ZodType, T>(
	socket: Socket,
	log: Logger,
	event: string,
	schema: S,
	fn: (payload: z.infer<S>) => Promise<Result<T>> | Result<T>
): void {
	socket.on(event, async (payload: unknown, ack: unknown) => {
		if (typeof ack !== 'function') return; // Every request event expects an ack; without one there is nobody to answer.
		const reply = ack as (r: Result<T>) => void;
		const parsed = schema.safeParse(payload);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			reply(fail('invalid_input', `Invalid ${event} request: ${issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'bad payload'}`));
			return;
		}
		try {
			reply(await fn(parsed.data));
		} catch (err) {
			log.error({ err, event, socket: socket.id, user: socket.data.user?.id }, 'socket handler failed');
			reply(fail('internal', 'Something went wrong on our side; please try again.'));
		}
	});
}
