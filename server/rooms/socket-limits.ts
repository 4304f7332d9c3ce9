/** Per-socket event budget: a misbehaving client is answered `rate_limited`, others are unaffected. */
import type { Socket } from 'socket.io';
import { limits } from '../config/index.ts';
import { fail } from '../../shared/result.ts';

export function limitEventRate(socket: Socket): void {
	let windowStart = Date.now();
	let count = 0;
	socket.use((packet, next) => {
		// Media signalling is bursty by nature and has its own budget (server/media/signalling.ts).
		if (typeof packet[0] === 'string' && packet[0].startsWith('media:')) return next();
		const now = Date.now();
		if (now - windowStart > limits.socket.eventWindowMs) {
			windowStart = now;
			count = 0;
		}
		count++;
		if (count <= limits.socket.eventsPerWindow) return next();
		const ack = packet[packet.length - 1];
		if (typeof ack === 'function') ack(fail('rate_limited', 'Too many requests; slow down for a few seconds.'));
	});
}
