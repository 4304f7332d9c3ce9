/**
 * Awareness another instance relays (issue 16) is bounded like a
 * connection's: never the server's id, never a local connection's client,
 * at most limits.clusterPad.awarenessClientsPerInstance clients; what is
 * accepted reaches local peers, and only local peers' changes go out to the
 * other instances (a remote client's are not sent back).
 */
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import pino from 'pino';
import { limits } from '../../server/config/index.ts';
import { PadDocument, type DocumentStorage } from '../../server/pad/document.ts';
import { UpdateWriter } from '../../server/pad/writer.ts';
import { writeAwarenessEntries } from '../../server/pad/messages.ts';
import { SERVER_AWARENESS_ID } from '../../shared/pad/index.ts';

const log = pino({ level: 'silent' });
const pads: PadDocument[] = [];
afterEach(() => {
	for (const p of pads.splice(0)) p.destroy();
});

function pad() {
	const target = { async append() {}, appendNow() {} };
	const storage: DocumentStorage = { compact: async () => {}, load: async () => ({ snapshot: null, updates: [], seq: 0, bytes: 0 }) };
	const doc = new PadDocument('session.abcdefghij234567.shared', { snapshot: null, updates: [], seq: 0, bytes: 0 }, { writer: new UpdateWriter(target, log, { minMs: 10, maxMs: 20 }), storage, log });
	pads.push(doc);
	const published: Uint8Array[] = [];
	doc.onLocalAwareness = (changed) => published.push(changed);
	const peer = { id: 'p', sent: [] as Uint8Array[], send(m: Uint8Array) { this.sent.push(m); }, close() {} };
	doc.addPeer(peer);
	return { doc, peer, published };
}

const states = (n: number, from = 1, clock = 1) => writeAwarenessEntries(Array.from({ length: n }, (_, i) => ({ id: from + i, clock, state: JSON.stringify({ user: { name: `u${i}` } }) })));

it("applies another instance's clients, relays them to local peers and does not publish them back", () => {
	const { doc, peer, published } = pad();
	doc.applyRemoteAwareness(states(2), 'other');
	expect([...doc.awareness.getStates().keys()].sort()).toEqual([1, 2]);
	expect(peer.sent.some((m) => m[0] === 1)).toBe(true);
	expect(published).toEqual([]);
});

it("refuses the server's id, a local connection's client, and more clients than the per-instance bound", () => {
	const { doc, peer, published } = pad();
	doc.handleAwareness(writeAwarenessEntries([{ id: 500, clock: 1, state: '{"user":{"name":"here"}}' }]), peer);
	expect(published.length).toBe(1);
	doc.applyRemoteAwareness(writeAwarenessEntries([{ id: SERVER_AWARENESS_ID, clock: 99, state: '{"x":1}' }, { id: 500, clock: 99, state: '{"user":{"name":"spoof"}}' }]), 'other');
	expect(doc.awareness.getStates().get(500)).toEqual({ user: { name: 'here' } });
	expect(doc.awareness.getStates().has(SERVER_AWARENESS_ID)).toBe(false);
	doc.applyRemoteAwareness(states(limits.clusterPad.awarenessClientsPerInstance + 1, 1000), 'other');
	expect(doc.awareness.getStates().size).toBe(1);
	doc.applyRemoteAwareness(new Uint8Array(limits.clusterPad.awarenessEntryMaxBytes + 1), 'other');
	doc.applyRemoteAwareness(new Uint8Array([5, 1]), 'other');
	expect(doc.awareness.getStates().size).toBe(1);
});

it("a closed connection's removal is published for the other instances", () => {
	const { doc, peer, published } = pad();
	doc.handleAwareness(writeAwarenessEntries([{ id: 7, clock: 1, state: '{"cursor":3}' }]), peer);
	doc.removePeer(peer);
	expect(published.length).toBe(2);
	const seen = new awarenessProtocol.Awareness(new Y.Doc());
	awarenessProtocol.applyAwarenessUpdate(seen, published[0]!, null);
	expect(seen.getStates().get(7)).toEqual({ cursor: 3 });
	awarenessProtocol.applyAwarenessUpdate(seen, published[1]!, null);
	expect(seen.getStates().has(7)).toBe(false);
	seen.destroy();
});
