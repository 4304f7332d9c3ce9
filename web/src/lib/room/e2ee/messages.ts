/** What the page and the encryption worker say to each other. */
import type { FrameKind } from './frame-crypto.ts';

/** Given to each transform: which way it goes, what it carries, and (received) whose key opens it. */
export interface TransformOptions {
	role: 'send' | 'receive';
	kind: FrameKind;
	/** The sender's user id, for received frames. */
	from?: string;
}

export type FromPage =
	| { type: 'streams'; readable: ReadableStream; writable: WritableStream; options: TransformOptions }
	| { type: 'mode'; encrypt: boolean }
	| { type: 'send-key'; keyId: number; raw: ArrayBuffer }
	| { type: 'receive-key'; from: string; keyId: number; raw: ArrayBuffer }
	| { type: 'stats'; id: number };

export interface WorkerStats {
	/** Transforms set up, by direction. */
	attached: { send: number; receive: number };
	/** Withheld: frames not sent because encryption is on and no key was there yet (the page gives one at once). */
	sent: { encrypted: number; plain: number; withheld: number };
	/** Per sender: frames opened, dropped (no key, wrong key), and received in clear. */
	received: Record<string, { decrypted: number; dropped: number; plain: number; lastKeyId: number | null; keyFrameRequests: number }>;
}

export interface StatsReply {
	type: 'stats';
	id: number;
	stats: WorkerStats;
	/** Key ids held per sender. */
	receiveKeys: Record<string, number[]>;
}

/** A transform's stream stopped with an error (the page logs it). */
export interface FailedReply {
	type: 'failed';
	role: TransformOptions['role'];
	kind: string;
	message: string;
}
