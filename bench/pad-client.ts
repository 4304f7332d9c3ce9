// The minimal y-websocket client the pad benchmarks drive (bench:pad,
// bench:instances): the provider's sync handling, without awareness or
// reconnects. After the initial sync, everything a client receives is its
// partner's edits, relayed one update per edit and in order (the servers keep
// one sender's order), so the n-th update received is the partner's n-th
// edit: no decoding needed, which keeps the client side light.
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

export interface Client {
	ws: WebSocket;
	doc: Y.Doc;
	synced: Promise<void>;
	/** When each of this client's edits was made (null: before measuring), oldest first, until the partner gets it. */
	inFlight: (number | null)[];
	partner?: Client;
}

/** `quiet()`: true once the benchmark is closing its clients (their closes are then expected). */
export function connect(url: string, name: string, cookie: string, onLatency: (ms: number) => void, quiet: () => boolean): Client {
	const doc = new Y.Doc();
	const ws = new WebSocket(`${url}/${name}`, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
	let markSynced!: () => void;
	const client: Client = { ws, doc, synced: new Promise<void>((r) => (markSynced = r)), inFlight: [] };
	doc.on('update', (update: Uint8Array, origin: unknown) => {
		if (origin === ws || ws.readyState !== WebSocket.OPEN) return;
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		syncProtocol.writeUpdate(e, update);
		ws.send(encoding.toUint8Array(e));
	});
	ws.on('open', () => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		syncProtocol.writeSyncStep1(e, doc);
		ws.send(encoding.toUint8Array(e));
	});
	ws.on('message', (data: Buffer) => {
		if (data[0] !== 0) return; // awareness: none is sent in this benchmark
		if (data[1] === syncProtocol.messageYjsUpdate) {
			const t = client.partner?.inFlight.shift();
			if (t != null) onLatency(performance.now() - t);
			return;
		}
		const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
		decoding.readVarUint(decoder);
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		const type = syncProtocol.readSyncMessage(decoder, e, doc, ws);
		if (encoding.length(e) > 1) ws.send(encoding.toUint8Array(e));
		if (type === syncProtocol.messageYjsSyncStep2) markSynced();
	});
	ws.on('error', (err) => console.error(`client ${name}: ${err.message}`));
	ws.on('close', (code, reason) => {
		if (!quiet() && code !== 1000 && code !== 1005) console.error(`client ${name} closed: ${code} ${reason.toString()}`);
		// A client lost before it synced (a reset under load) must not hold the run up: its loss shows as edits not delivered.
		markSynced();
	});
	return client;
}

export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Coach and coachee of each session (cookies in pairs), each at `urlOf(session, 0 | 1)`, partnered, synced; spaced so the handshakes do not stampede. */
export async function connectPairs(names: string[], cookies: string[], urlOf: (session: number, person: 0 | 1) => string, onLatency: (ms: number) => void, quiet: () => boolean): Promise<Client[]> {
	const clients: Client[] = [];
	for (let s = 0; s < names.length; s++) {
		const coach = connect(urlOf(s, 0), names[s]!, cookies[s * 2] ?? '', onLatency, quiet);
		const coachee = connect(urlOf(s, 1), names[s]!, cookies[s * 2 + 1] ?? '', onLatency, quiet);
		coach.partner = coachee;
		coachee.partner = coach;
		clients.push(coach, coachee);
		if (s % 50 === 49) await pause(20);
	}
	await Promise.all(clients.map((c) => c.synced));
	return clients;
}

/** Everyone types one character at a time, `perSecond` a second, each on their own rhythm; `measuring()` says whether an edit is timed. Returns how to stop. */
export function startTyping(clients: Client[], perSecond: number, measuring: () => boolean, onTimedEdit: () => void): () => void {
	const timers: NodeJS.Timeout[] = [];
	for (const c of clients) {
		const text = c.doc.getText('bench');
		const tick = () => {
			const timed = measuring();
			c.inFlight.push(timed ? performance.now() : null);
			if (timed) onTimedEdit();
			text.insert(text.length, 'x');
		};
		timers.push(setTimeout(() => timers.push(setInterval(tick, 1000 / perSecond)), Math.random() * (1000 / perSecond)));
	}
	return () => {
		for (const t of timers) {
			clearTimeout(t);
			clearInterval(t);
		}
	};
}
