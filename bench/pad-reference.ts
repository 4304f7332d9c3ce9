// The reference for `npm run bench:pad`: a plain y-websocket relay as the
// protocol's reference server behaves (documents in memory, every update
// applied and relayed at once, awareness relayed), with no sign-in checks,
// no limits and no persistence. The y-websocket package no longer ships its
// server, so this minimal one is written here, on the same yjs 13 +
// y-protocols as the pad. Run by bench/pad.ts as its own process; prints
// `listening <port>`.
import http from 'node:http';
import * as Y from 'yjs';
import { WebSocketServer, WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

interface Room {
	doc: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	conns: Set<WebSocket>;
}

const rooms = new Map<string, Room>();

function room(name: string): Room {
	let r = rooms.get(name);
	if (r) return r;
	const doc = new Y.Doc();
	const awareness = new awarenessProtocol.Awareness(doc);
	awareness.setLocalState(null);
	const conns = new Set<WebSocket>();
	r = { doc, awareness, conns };
	doc.on('update', (update: Uint8Array, origin: unknown) => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		syncProtocol.writeUpdate(e, update);
		const msg = encoding.toUint8Array(e);
		for (const c of conns) if (c !== origin && c.readyState === WebSocket.OPEN) c.send(msg);
	});
	awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 1);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]));
		const msg = encoding.toUint8Array(e);
		for (const c of conns) if (c.readyState === WebSocket.OPEN) c.send(msg);
	});
	rooms.set(name, r);
	return r;
}

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server });
wss.on('connection', (ws, req) => {
	const r = room((req.url ?? '/').split('?')[0]!.slice(1));
	r.conns.add(ws);
	ws.on('message', (data: Buffer) => {
		try {
			const decoder = decoding.createDecoder(new Uint8Array(data));
			const type = decoding.readVarUint(decoder);
			if (type === 0) {
				const e = encoding.createEncoder();
				encoding.writeVarUint(e, 0);
				syncProtocol.readSyncMessage(decoder, e, r.doc, ws);
				if (encoding.length(e) > 1) ws.send(encoding.toUint8Array(e));
			} else if (type === 1) {
				awarenessProtocol.applyAwarenessUpdate(r.awareness, decoding.readVarUint8Array(decoder), ws);
			}
		} catch (err) {
			console.error('reference server: bad message', err);
		}
	});
	ws.on('close', () => r.conns.delete(ws));
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeSyncStep1(e, r.doc);
	ws.send(encoding.toUint8Array(e));
});
server.listen(0, '127.0.0.1', () => {
	const a = server.address();
	console.log(`listening ${typeof a === 'object' && a ? a.port : 0}`);
});
// Exit normally on SIGTERM so that `--cpu-prof` (and similar) can write their output.
process.on('SIGTERM', () => process.exit(0));

