/**
 * The pad's sync endpoint against the real server on SQLite: stock
 * y-websocket providers converge, refusals come with close codes before any
 * document byte, private notes never reach a coachee's connection, malformed
 * and oversized messages are refused without harming anyone else, edits
 * survive a SIGKILL, and an offline client's edits merge on return.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { coachingPair, uniqueEmail, Visitor } from '../helpers/http.ts';
import { padClient, rawPadSocket, until } from '../helpers/pad.ts';
import { insertAction, newAction, notesOf, padName, readActions } from '../../shared/pad/index.ts';
import { convergeOnConcurrentEdits, survivesSigkill } from './pad-cases.ts';
import { syncUpdateFrame } from '../helpers/hostile-updates.ts';

let server: TestServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	await server?.cleanup();
});

const has = (frames: Uint8Array[], needle: string) => {
	const n = Buffer.from(needle);
	return frames.some((f) => Buffer.from(f).indexOf(n) >= 0);
};

function writeNote(doc: Y.Doc, text: string) {
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [new Y.XmlText(text)]);
	notesOf(doc).push([p]);
}

it('two stock y-websocket providers (coach and coachee) converge on concurrent edits', async () => {
	await convergeOnConcurrentEdits(server);
});

it('refuses with a close code, before any document byte: signed out, non-member, coachee on private notes, unknown name, foreign origin', async () => {
	const pair = await coachingPair(server.url);
	const outsider = new Visitor(server.url);
	await outsider.signUp('Olly Outsider', uniqueEmail('olly'));
	const shared = padName(pair.sessionId, 'shared');
	const cases: [string, string, string, Record<string, string>, number][] = [
		['signed out', '', shared, {}, 4401],
		['non-member', outsider.cookie, shared, {}, 4404],
		['coachee on private notes', pair.coachee.cookie, padName(pair.sessionId, 'private'), {}, 4403],
		['unknown session', pair.coach.cookie, padName('zzzzzzzzzzzzzzzzzzzz', 'shared'), {}, 4404],
		['malformed name', pair.coach.cookie, 'session.x.other', {}, 4404],
		['foreign origin', pair.coach.cookie, shared, { origin: 'https://evil.example' }, 4403]
	];
	for (const [what, cookie, name, headers, code] of cases) {
		const s = await rawPadSocket(server.url, cookie, name, headers);
		const closed = await s.closed;
		expect(closed.code, what).toBe(code);
		expect(closed.reason.length, what).toBeGreaterThan(5);
		expect(s.frames, what).toEqual([]);
	}
	// The coach is let in to both.
	for (const kind of ['shared', 'private'] as const) {
		const c = padClient(server.url, pair.coach.cookie, pair.sessionId, kind);
		await c.synced();
		c.destroy();
	}
});

it("never sends the coach's private notes to a coachee connection", async () => {
	const pair = await coachingPair(server.url);
	const secret = `PRIVATE-${Math.random().toString(36).slice(2)}`;
	const coachPrivate = padClient(server.url, pair.coach.cookie, pair.sessionId, 'private');
	const coachShared = padClient(server.url, pair.coach.cookie, pair.sessionId, 'shared');
	const coachee = padClient(server.url, pair.coachee.cookie, pair.sessionId, 'shared');
	const coacheeTry = padClient(server.url, pair.coachee.cookie, pair.sessionId, 'private');
	const coachSecondTab = padClient(server.url, pair.coach.cookie, pair.sessionId, 'private');
	try {
		await Promise.all([coachPrivate.synced(), coachShared.synced(), coachee.synced(), coachSecondTab.synced()]);
		writeNote(coachPrivate.doc, `${secret} worried about the reorganisation`);
		coachPrivate.provider.awareness.setLocalStateField('user', { name: 'Casey Coach', color: '#0a7' });
		insertAction(coachShared.doc, newAction('coach', { text: 'Shared action everyone sees' }));
		await until(() => readActions(coachee.doc).length === 1, 5000, 'shared action at coachee');
		// Positive control: another coach connection does receive the secret bytes.
		await until(() => has(coachSecondTab.frames, secret), 5000, 'secret at the coach second tab');
		await new Promise((r) => setTimeout(r, 300));
		expect(has(coachee.frames, secret)).toBe(false);
		expect(coacheeTry.frames).toEqual([]);
		expect(coacheeTry.closes[0]?.code).toBe(4403);
		expect(has(coachee.frames, 'Shared action everyone sees')).toBe(true);
	} finally {
		for (const c of [coachPrivate, coachShared, coachee, coacheeTry, coachSecondTab]) c.destroy();
	}
});

it('fuzz: malformed, crafted and oversized messages are refused; the server, other connections and stored data are unaffected', async () => {
	const pair = await coachingPair(server.url);
	const other = await coachingPair(server.url);
	const bystander = padClient(server.url, other.coach.cookie, other.sessionId);
	const sameDoc = padClient(server.url, pair.coachee.cookie, pair.sessionId);
	await Promise.all([bystander.synced(), sameDoc.synced()]);
	insertAction(sameDoc.doc, newAction('coachee', { text: 'kept safe' }));
	const name = padName(pair.sessionId, 'shared');

	// A crafted update: one client, 2^32-1 declared structs, then nothing (yjs issue 687).
	const hugeCount = new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0x0f, 7, 0, 0]);
	// A GC struct claiming an absurd clock range.
	const hugeClock = new Uint8Array([1, 1, 5, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0]);
	const seeded = (seed: number) => {
		let x = seed;
		return () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % 256);
	};
	const random = seeded(42);
	const messages: [string, Uint8Array | string, number[]][] = [
		['empty', new Uint8Array(0), [4400]],
		['unknown type', new Uint8Array([9, 1, 2]), [4400]],
		['unknown sync type', new Uint8Array([0, 7, 1, 0]), [4400]],
		['truncated update', new Uint8Array([0, 2, 50, 1, 2]), [4400]],
		['text frame', 'hello', [4400]],
		['huge declared struct count', syncUpdateFrame(hugeCount), [4400, 4422]],
		['huge clock range', syncUpdateFrame(hugeClock), [4422]],
		['bad awareness', new Uint8Array([1, 3, 1, 1]), [4400]],
		['oversized', new Uint8Array(1024 * 1024 + 10).fill(1), [1009]]
	];
	for (let i = 0; i < 40; i++) {
		const len = 1 + (random() % 64);
		const bytes = new Uint8Array(len).map(() => random());
		bytes[0] = random() % 4; // mostly known message types, so the inner decoders get exercised
		messages.push([`random ${i}`, bytes, [4400, 4422, -1]]);
	}
	for (const [what, message, codes] of messages) {
		const s = await rawPadSocket(server.url, pair.coach.cookie, name);
		s.ws.send(message);
		const result = await Promise.race([s.closed, new Promise<{ code: number }>((r) => setTimeout(() => r({ code: -1 }), 600))]);
		expect(codes, `${what}: closed with ${result.code}`).toContain(result.code);
		s.ws.terminate();
	}
	expect((await fetch(server.url + '/healthz')).status).toBe(200);
	// Others were not disturbed and the document still holds what it held.
	insertAction(bystander.doc, newAction('coach', { text: 'still works' }));
	insertAction(sameDoc.doc, newAction('coachee', { text: 'after the fuzz' }));
	const check = padClient(server.url, pair.coach.cookie, pair.sessionId);
	const checkOther = padClient(server.url, other.coach.cookie, other.sessionId);
	try {
		await until(() => readActions(check.doc).length === 2, 5000, 'stored actions on the fuzzed doc');
		expect(readActions(check.doc).map((a) => a.text).sort()).toEqual(['after the fuzz', 'kept safe']);
		await until(() => readActions(checkOther.doc).length === 1, 5000, 'bystander doc');
	} finally {
		for (const c of [bystander, sameDoc, check, checkOther]) c.destroy();
	}
});

it('a client offline for 30 s keeps editing; after reconnecting both hold the union', async () => {
	const pair = await coachingPair(server.url);
	const coach = padClient(server.url, pair.coach.cookie, pair.sessionId);
	const coachee = padClient(server.url, pair.coachee.cookie, pair.sessionId);
	await Promise.all([coach.synced(), coachee.synced()]);
	insertAction(coach.doc, newAction('coach', { text: 'before the drop' }));
	await until(() => readActions(coachee.doc).length === 1, 5000, 'first action');
	coachee.provider.disconnect();
	const started = Date.now();
	let i = 0;
	while (Date.now() - started < 30_000) {
		insertAction(coachee.doc, newAction('coachee', { text: `offline ${i}` }));
		insertAction(coach.doc, newAction('coach', { text: `online ${i}` }));
		i++;
		await new Promise((r) => setTimeout(r, 1000));
	}
	expect(readActions(coach.doc).some((a) => a.text.startsWith('offline'))).toBe(false);
	coachee.provider.connect();
	const expected = 1 + 2 * i;
	try {
		await until(() => readActions(coach.doc).length === expected && readActions(coachee.doc).length === expected, 10_000, 'union on both sides');
		expect(readActions(coach.doc)).toEqual(readActions(coachee.doc));
	} finally {
		coach.destroy();
		coachee.destroy();
	}
}, 60_000);

it('after a SIGKILL and restart, every edit a client had received is still there', async () => {
	// On SQLite the edits are in the journal only (no compaction yet): the restart must replay it.
	await survivesSigkill(server, () => expect(fs.readdirSync(path.join(server.dataDir, 'pad-journal')).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(0));
});
