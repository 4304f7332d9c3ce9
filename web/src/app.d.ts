import type { IncomingMessage } from 'node:http';
import type { User } from '$lib/server/services.ts';

declare global {
	namespace App {
		interface Locals {
			user: User | null;
			/** Whether the signed-in person confirmed their address (mail to them waits until then). */
			confirmed: boolean;
			/** Who is asking: the client's address (trusted proxy header when configured) and browser. */
			where: { address: string; userAgent: string };
		}
		interface Platform {
			/** adapter-node's request, for the client address behind a trusted proxy. */
			req: IncomingMessage;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
