import type { User } from '$server/auth/index.ts';

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
