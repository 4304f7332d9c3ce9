import type { User } from '$lib/server/services.ts';

declare global {
	namespace App {
		interface Locals {
			user: User | null;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
