/**
 * What the cluster tests share: people typing numbered edits into the shared
 * pad (one paragraph per edit, so every edit can be found again by its
 * token), and reading what a pad holds.
 */
import * as Y from 'yjs';
import { padClient, until, type PadClient } from '../helpers/pad.ts';
import { notesOf, notesText } from '../../shared/pad/index.ts';
import { afterAll, beforeAll } from 'vitest';
import { startCluster, type ClusterOptions, type TestCluster } from '../helpers/cluster.ts';
import type { ClientSocket } from '../helpers/socket.ts';

const paragraph = (text: string) => {
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [new Y.XmlText(text)]);
	return p;
};

/** Tokens in a pad's notes, e.g. `c17` (the coach's 17th edit), `e3` (the coachee's 3rd). */
export function tokensIn(doc: Y.Doc, prefix?: string): Set<string> {
	const all = notesText(notesOf(doc)).match(/\b[a-z]+\d+\b/g) ?? [];
	return new Set(prefix ? all.filter((t) => t.startsWith(prefix) && /^\d+$/.test(t.slice(prefix.length))) : all);
}

export interface Typist {
	readonly pad: PadClient;
	/** Edits made so far (tokens `<prefix>1` .. `<prefix><made>`). */
	readonly made: number;
	stop(): void;
}

/** Pushes one token paragraph every `everyMs` while the pad is connected (a person does not type into a dead pad). */
export function startTyping(pad: PadClient, prefix: string, everyMs = 25): Typist {
	let made = 0;
	const timer = setInterval(() => {
		if (!pad.provider.wsconnected) return;
		made++;
		notesOf(pad.doc).push([paragraph(`${prefix}${made}`)]);
	}, everyMs);
	return {
		pad,
		get made() {
			return made;
		},
		stop: () => clearInterval(timer)
	};
}

export const missingFrom = (have: Set<string>, wanted: Iterable<string>) => [...wanted].filter((t) => !have.has(t));

/** Waits until `pad` holds every token in `wanted`; fails naming what is still missing. */
export async function untilHolds(pad: PadClient, wanted: Iterable<string>, timeoutMs: number, what: string): Promise<void> {
	const list = [...wanted];
	await until(() => missingFrom(tokensIn(pad.doc), list).length === 0, timeoutMs, what).catch(() => {
		throw new Error(`${what}: missing ${missingFrom(tokensIn(pad.doc), list).slice(0, 20).join(' ')} (of ${list.length})`);
	});
}

/**
 * What PostgreSQL holds of a session's shared pad, and nothing else: every
 * instance is killed (no memory survives), one is started again, and a new
 * client reads the pad from it. Leaves that one instance running.
 */
export async function padFromDatabase(cluster: TestCluster, cookie: string, sessionId: string): Promise<Y.Doc> {
	await Promise.all(cluster.instances.map((i) => i.kill('SIGKILL')));
	const first = cluster.instances[0]!;
	await first.restart();
	const reader = padClient(first.url, cookie, sessionId);
	await reader.synced();
	const doc = new Y.Doc();
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(reader.doc));
	reader.destroy();
	return doc;
}

/**
 * The file's cluster, started before its tests and closed after them, with
 * the socket.io connections its tests open (closed first).
 */
export function clusterPerFile(opts: ClusterOptions = { instances: 3, lb: true }): { readonly cluster: TestCluster; sockets: ClientSocket[] } {
	let cluster: TestCluster | undefined;
	const sockets: ClientSocket[] = [];
	beforeAll(async () => {
		cluster = await startCluster(opts);
	});
	afterAll(async () => {
		for (const s of sockets) s.close();
		await cluster?.close();
	});
	return {
		get cluster() {
			if (!cluster) throw new Error('the cluster is not started (use it inside a test)');
			return cluster;
		},
		sockets
	};
}
