/**
 * Pad test cases that run against both databases (pad.test.ts on SQLite,
 * pad-postgres.test.ts on PostgreSQL): stock providers converge, and
 * nothing a client received is lost to a SIGKILL.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import type { TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { actionsOf, insertAction, newAction, readActions, updateItem, learningOf, insertLearning } from '../../shared/pad/index.ts';

const texts = (doc: Y.Doc) => new Set(readActions(doc).map((a) => a.text));

export async function convergeOnConcurrentEdits(server: TestServer) {
	const pair = await coachingPair(server.url);
	const coach = padClient(server.url, pair.coach.cookie, pair.sessionId);
	const coachee = padClient(server.url, pair.coachee.cookie, pair.sessionId);
	try {
		await Promise.all([coach.synced(), coachee.synced()]);
		// Both add, edit and reorder at the same moment, without waiting for each other.
		for (let i = 0; i < 10; i++) {
			insertAction(coach.doc, newAction('coach', { text: `coach action ${i}`, owner: 'coach' }), 0);
			insertAction(coachee.doc, newAction('coachee', { text: `coachee action ${i}`, owner: 'coachee' }));
		}
		insertLearning(coach.doc, 'coach', 'Pausing before answering helps');
		insertLearning(coachee.doc, 'coachee', 'I speak up more when prepared');
		const first = readActions(coach.doc)[0]!;
		updateItem(coach.doc, actionsOf(coach.doc), first.id, { status: 'done' }, 'coach');
		await until(() => actionsOf(coach.doc).length === 20 && actionsOf(coachee.doc).length === 20 && learningOf(coachee.doc).length === 2 && learningOf(coach.doc).length === 2, 10_000, 'both sides to hold 20 actions');
		await until(() => readActions(coachee.doc).find((a) => a.id === first.id)?.status === 'done', 5000, 'status change to arrive');
		expect(Y.encodeStateVector(coach.doc)).toEqual(Y.encodeStateVector(coachee.doc));
		expect(readActions(coach.doc)).toEqual(readActions(coachee.doc));
		expect(texts(coach.doc)).toEqual(new Set([...Array(10).keys()].flatMap((i) => [`coach action ${i}`, `coachee action ${i}`])));
	} finally {
		coach.destroy();
		coachee.destroy();
	}
}

/** `killed` runs after the kill, before the restart (to check what the crash left). */
export async function survivesSigkill(server: TestServer, killed?: () => void) {
	const pair = await coachingPair(server.url);
	const coach = padClient(server.url, pair.coach.cookie, pair.sessionId);
	const coachee = padClient(server.url, pair.coachee.cookie, pair.sessionId);
	await Promise.all([coach.synced(), coachee.synced()]);
	// Both type continuously; the server is killed in the middle of it.
	let n = 0;
	const typing = setInterval(() => {
		insertAction(coach.doc, newAction('coach', { text: `c${n}` }));
		insertAction(coachee.doc, newAction('coachee', { text: `e${n}` }));
		n++;
	}, 5);
	await until(() => readActions(coachee.doc).filter((a) => a.text.startsWith('c')).length >= 60, 15_000, 'coach edits to reach the coachee');
	await server.stop('SIGKILL');
	clearInterval(typing);
	// What each client had received from the server (the other person's edits).
	const received = [
		...readActions(coachee.doc).filter((a) => a.text.startsWith('c')).map((a) => a.text),
		...readActions(coach.doc).filter((a) => a.text.startsWith('e')).map((a) => a.text)
	];
	// The old clients must not push their copies back: only the server's store counts.
	coach.destroy();
	coachee.destroy();
	expect(received.length).toBeGreaterThan(60);
	killed?.();
	await server.restart();
	const fresh = padClient(server.url, pair.coach.cookie, pair.sessionId);
	try {
		await fresh.synced();
		const have = texts(fresh.doc);
		const lost = received.filter((t) => !have.has(t));
		expect(lost).toEqual([]);
	} finally {
		fresh.destroy();
	}
}
