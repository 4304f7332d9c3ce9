/**
 * Issue 16, "SIGKILL an instance mid-typing": every edit any client received
 * is in PostgreSQL once the others take over, and clients reconnect through
 * the load balancer by themselves (y-websocket's own reconnect for the pad,
 * socket.io's for the session connection), to a live instance.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { io } from 'socket.io-client';
import { coachingPair } from '../helpers/http.ts';
import { padClient, until, type PadClient } from '../helpers/pad.ts';
import { request, type ClientSocket } from '../helpers/socket.ts';
import { notesOf, notesText } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { clusterPerFile, missingFrom, padFromDatabase, startTyping, tokensIn } from './support.ts';

const file = clusterPerFile();
const sockets = file.sockets;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const servedBy = (pad: PadClient) => pad.servedBy.at(-1);
const instanceServing = (pad: PadClient) => file.cluster.instances.find((i) => i.id === servedBy(pad))!;

/** A session connection through the LB that reconnects and joins again by itself, as the app's does. */
function liveSocket(cookie: string, sessionId: string): ClientSocket {
	const s: ClientSocket = io(file.cluster.lbUrl!, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: true, reconnectionDelay: 200, reconnectionDelayMax: 1000, forceNew: true, auth: { protocolVersion: PROTOCOL_VERSION } });
	s.on('connect', () => void request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION }, 15_000).catch(() => {}));
	sockets.push(s);
	return s;
}

async function restartDead() {
	for (const i of file.cluster.instances) if (!i.alive()) await i.restart();
}

describe('an instance SIGKILLed mid-typing', () => {
	it('loses no edit that any client received', async () => {
		const { coach, coachee, sessionId } = await coachingPair(file.cluster.lbUrl!);
		liveSocket(coach.cookie, sessionId);
		liveSocket(coachee.cookie, sessionId);
		// Two typing, two watching (second tabs), all through the LB.
		const pads = [padClient(file.cluster.lbUrl!, coach.cookie, sessionId), padClient(file.cluster.lbUrl!, coachee.cookie, sessionId), padClient(file.cluster.lbUrl!, coach.cookie, sessionId), padClient(file.cluster.lbUrl!, coachee.cookie, sessionId)];
		await Promise.all(pads.map((p) => p.synced()));
		const [coachPad, coacheePad] = pads as [PadClient, PadClient];
		const victim = instanceServing(coachPad);
		const typists = [startTyping(coachPad, 'c', 20), startTyping(coacheePad, 'e', 20)];
		// Killed mid-typing, once edits are flowing both ways (however slowly the loaded machine relays them).
		await until(() => tokensIn(coacheePad.doc, 'c').size >= 20 && tokensIn(coachPad.doc, 'e').size >= 20, 30_000, 'edits flowing both ways');
		// From here nobody reconnects: a client that did would send everything it holds again, and hide a loss.
		for (const p of pads) p.provider.shouldConnect = false;
		await victim.kill('SIGKILL');
		for (const t of typists) t.stop();
		await sleep(1000);
		const received = new Set<string>();
		for (const t of tokensIn(coachPad.doc)) if (t.startsWith('e')) received.add(t);
		for (const t of tokensIn(coacheePad.doc)) if (t.startsWith('c')) received.add(t);
		for (const p of pads.slice(2)) for (const t of tokensIn(p.doc)) received.add(t);
		for (const p of pads) p.destroy();
		expect([...received].filter((t) => t.startsWith('c')).length).toBeGreaterThanOrEqual(20);
		expect([...received].filter((t) => t.startsWith('e')).length).toBeGreaterThanOrEqual(20);
		const stored = await padFromDatabase(file.cluster, coach.cookie, sessionId);
		expect(missingFrom(tokensIn(stored), received)).toEqual([]);
		await restartDead();
	});

	it('clients move to a live instance through the LB by themselves, within 5 s, and edits flow again', async () => {
		const { coach, coachee, sessionId } = await coachingPair(file.cluster.lbUrl!);
		const coachSocket = liveSocket(coach.cookie, sessionId);
		const coacheeSocket = liveSocket(coachee.cookie, sessionId);
		const coachPad = padClient(file.cluster.lbUrl!, coach.cookie, sessionId);
		const coacheePad = padClient(file.cluster.lbUrl!, coachee.cookie, sessionId);
		await Promise.all([coachPad.synced(), coacheePad.synced()]);
		await until(() => coachSocket.connected && coacheeSocket.connected, 5000, 'sockets connected');
		const victim = instanceServing(coachPad);
		const typing = startTyping(coachPad, 'c', 30);
		await sleep(500);
		const killedAt = Date.now();
		await victim.kill('SIGKILL');
		await until(() => coachPad.provider.wsconnected && coachPad.provider.synced && servedBy(coachPad) !== victim.id, 8000, 'the coach pad on a live instance');
		const movedMs = Date.now() - killedAt;
		typing.stop();
		expect(movedMs).toBeLessThan(5000);
		// Whatever the coach typed before and after the move reaches the coachee.
		const p = new Y.XmlElement('paragraph');
		p.insert(0, [new Y.XmlText('after the move')]);
		notesOf(coachPad.doc).push([p]);
		await until(() => notesText(notesOf(coacheePad.doc)).includes('after the move'), 5000, 'an edit after the move');
		await until(() => missingFrom(tokensIn(coacheePad.doc), tokensIn(coachPad.doc)).length === 0, 5000, 'the coachee caught up');
		// The session connections came back too, and presence shows both people again.
		await until(() => coachSocket.connected && coacheeSocket.connected, 5000, 'sockets back');
		const both = await new Promise<string[]>((resolve) => {
			const check = () =>
				void request<{ participants: { name: string }[] }>(coacheeSocket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION }, 15_000).then((r) => {
					const names = r.ok ? [...new Set(r.value.participants.map((x) => x.name))].sort() : [];
					if (names.length === 2) resolve(names);
					else setTimeout(check, 250);
				});
			check();
		});
		expect(both).toEqual(['Casey Coach', 'Sam Coachee']);
		coachPad.destroy();
		coacheePad.destroy();
		await restartDead();
	});
});
