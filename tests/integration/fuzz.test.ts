/**
 * Issue 17: property-based fuzzing (fast-check, seeded) of every socket
 * request in the protocol map and of pad messages (sync, awareness,
 * malformed, oversized, bursts), sent by a signed-in member, which is the
 * strongest position an outsider can reach. The server must answer every
 * request with an ack the protocol defines, keep answering /healthz within
 * 50 ms (plus this shared machine's own noise, measured before), and never
 * crash.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { Visitor, agreeContract, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { addressedTo, outboxMails } from '../helpers/session-content.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { rawPadSocket } from '../helpers/pad.ts';
import { clientRequests, PROTOCOL_VERSION, type RequestName } from '../../shared/protocol/index.ts';
import { padName } from '../../shared/pad/index.ts';

const HEALTHZ_BOUND_MS = 50;
/** One frame just over the pad's limit (limits.pad.maxMessageBytes). */
const OVERSIZED = new Uint8Array(1024 * 1024 + 10).fill(1);
const SEED = 17;

let server: TestServer;
let pair: Awaited<ReturnType<typeof coachingPair>>;
beforeAll(async () => {
	server = await startServer({ env: { MEDIA_WORKERS: '1' } });
	pair = await coachingPair(server.url);
});
afterAll(async () => {
	await server?.cleanup();
});

async function healthzMs(): Promise<number> {
	const started = performance.now();
	const res = await fetch(server.url + '/healthz', { signal: AbortSignal.timeout(5_000) });
	expect(res.status).toBe(200);
	return performance.now() - started;
}

/** The slowest of a few /healthz answers: the machine's own noise, before any fuzzing. */
async function quietHealthz(): Promise<number> {
	let slowest = 0;
	for (let i = 0; i < 10; i++) slowest = Math.max(slowest, await healthzMs());
	return slowest;
}

const names = Object.keys(clientRequests) as RequestName[];

/** Field names a request's schema declares (z.object), so payloads are near-valid as well as wild. */
function fieldsOf(name: RequestName): string[] {
	const schema = clientRequests[name].payload as unknown as { shape?: Record<string, unknown> };
	return schema.shape ? Object.keys(schema.shape) : [];
}

const wild = fc.oneof(
	fc.anything({ maxDepth: 3, maxKeys: 6 }),
	fc.string({ maxLength: 200 }),
	fc.integer(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 20 })
);

function payloadFor(name: RequestName, sessionId: string): fc.Arbitrary<unknown> {
	const fields = fieldsOf(name);
	const nearValid = fc
		.record(Object.fromEntries(fields.map((f) => [f, f === 'sessionId' ? fc.oneof(fc.constant(sessionId), wild) : f === 'protocolVersion' ? fc.oneof(fc.constant(PROTOCOL_VERSION), wild) : wild])), { requiredKeys: [] })
		.chain((base) => fc.dictionary(fc.string({ maxLength: 12 }), wild, { maxKeys: 3 }).map((extra) => ({ ...extra, ...base })));
	return fc.oneof(nearValid, wild);
}

const requestArb = (sessionId: string) => fc.constantFrom(...names).chain((name) => payloadFor(name, sessionId).map((payload) => ({ name, payload })));

it('every socket request with fuzzed payloads gets an ack from the protocol; /healthz stays within 50 ms', async () => {
	const quiet = await quietHealthz();
	let slowest = 0;
	await fc.assert(
		fc.asyncProperty(fc.array(requestArb(pair.sessionId), { minLength: 1, maxLength: 12 }), fc.boolean(), async (batch, asCoach) => {
			const s: ClientSocket = connect(server.url, (asCoach ? pair.coach : pair.coachee).cookie);
			try {
				await connected(s);
				// Answers must be protocol acks (request() checks them against the map) and arrive.
				await Promise.all(batch.map(({ name, payload }) => request(s, name, payload, 10_000)));
				slowest = Math.max(slowest, await healthzMs());
			} finally {
				s.close();
			}
		}),
		{ seed: SEED, numRuns: 60, endOnFailure: true }
	);
	console.log(`slowest /healthz while fuzzing sockets: ${slowest.toFixed(1)} ms (quiet: ${quiet.toFixed(1)} ms)`);
	expect(slowest).toBeLessThan(HEALTHZ_BOUND_MS + quiet);
	expect(server.process.exitCode).toBeNull();
}, 300_000);

/** y-websocket framing: a varuint message type, then its body. */
function frame(type: number, write: (e: encoding.Encoder) => void): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, type);
	write(e);
	return encoding.toUint8Array(e);
}

const awarenessEntries = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 300 }), fc.constant('null'))), { maxLength: 30 });

const padMessage: fc.Arbitrary<Uint8Array | string> = fc.oneof(
	// Sync step 1 with any state vector bytes, step 2 / update with any update bytes.
	fc.uint8Array({ maxLength: 64 }).map((sv) => frame(0, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, sv)))),
	fc.tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 512 })).map(([t, u]) => frame(0, (e) => (encoding.writeVarUint(e, t), encoding.writeVarUint8Array(e, u)))),
	// Awareness with many, odd or server-looking entries.
	awarenessEntries.map((entries) =>
		frame(1, (e) => {
			const inner = encoding.createEncoder();
			encoding.writeVarUint(inner, entries.length);
			for (const [id, clock, state] of entries) {
				encoding.writeVarUint(inner, id);
				encoding.writeVarUint(inner, clock);
				encoding.writeVarString(inner, state);
			}
			encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
		})
	),
	fc.constant(frame(3, () => {})),
	// Malformed: random bytes, text frames, frames just over the 1 MiB limit
	// (closed with 1009; several in a row, as a batch sends them before the close arrives).
	fc.uint8Array({ minLength: 0, maxLength: 128 }),
	fc.constant(OVERSIZED),
	fc.string({ maxLength: 64 }),
	fc.constant(new Uint8Array(16))
);

it('fuzzed pad messages and bursts never crash the server; /healthz stays within 50 ms', async () => {
	// A session of its own: the socket fuzzing may well have ended the first one (session:end is in the map).
	pair = await coachingPair(server.url);
	const quiet = await quietHealthz();
	const from = Date.now();
	let slowest = 0;
	let worst: unknown[] = [];
	const name = padName(pair.sessionId, 'shared');
	await fc.assert(
		fc.asyncProperty(fc.array(padMessage, { minLength: 1, maxLength: 40 }), fc.boolean(), async (messages, asCoach) => {
			const s = await rawPadSocket(server.url, (asCoach ? pair.coach : pair.coachee).cookie, name);
			try {
				for (const m of messages) if (s.ws.readyState === s.ws.OPEN) s.ws.send(m);
				await Promise.race([s.closed, new Promise((r) => setTimeout(r, 100))]);
				const took = await healthzMs();
				if (took > slowest) worst = messages.map((m) => (typeof m === 'string' ? `text ${m.length}` : `${m[0]}/${m[1]} ${m.length} B`));
				slowest = Math.max(slowest, took);
			} finally {
				s.ws.terminate();
			}
		}),
		{ seed: SEED, numRuns: 80, endOnFailure: true }
	);
	console.log(`slowest /healthz while fuzzing the pad: ${slowest.toFixed(1)} ms (quiet: ${quiet.toFixed(1)} ms)`);
	for (const l of server.logs.filter((l) => l.includes('event loop') && (JSON.parse(l) as { time: number }).time >= from)) console.log(l.slice(0, 600));
	console.log('slowest batch', JSON.stringify(worst));
	expect(slowest).toBeLessThan(HEALTHZ_BOUND_MS + quiet);
	expect(server.process.exitCode).toBeNull();
	// Still serving members afterwards.
	const s = connect(server.url, pair.coach.cookie);
	await connected(s);
	expect(await request(s, 'session:join', { sessionId: pair.sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	s.close();
}, 300_000);

/**
 * Runs `work` while /healthz is polled every few milliseconds: every poll
 * must be answered (within healthzMs's 5 s), and the server must live. No
 * timing goal: on this shared machine a slow answer times the machine's
 * load as much as the server; the cost itself is measured with a CPU
 * profile and written down in docs/benchmarks.md.
 */
async function respondsDuring(what: string, work: () => Promise<void>): Promise<void> {
	let slowest = 0;
	let answered = 0;
	let done = false;
	const poll = (async () => {
		while (!done) {
			slowest = Math.max(slowest, await healthzMs());
			answered++;
			await new Promise((r) => setTimeout(r, 5));
		}
	})();
	try {
		await work();
	} finally {
		done = true;
		await poll;
	}
	console.log(`${what}: ${answered} /healthz answered, the slowest in ${slowest.toFixed(1)} ms as seen from here`);
	expect(answered).toBeGreaterThan(0);
	expect(server.process.exitCode).toBeNull();
}

it('two oversized frames (over the 1 MiB limit) in a row on one connection are closed with 1009, and /healthz is answered throughout', async () => {
	const url = server.url.replace(/^http/, 'ws') + '/pad/' + padName(pair.sessionId, 'shared');
	let codes: string[] = [];
	// Sent from a child process: masking a megabyte on the test's own loop would delay the /healthz it times.
	const send = () => new Promise<void>((resolve, reject) => {
		execFile(process.execPath, [path.join(ROOT, 'tests/helpers/frame-sender.ts'), url, pair.coach.cookie, String(OVERSIZED.length), '2', '10'], (err, out) => (err ? reject(err) : resolve(void (codes = out.trim().split('\n')))));
	});
	await respondsDuring('10 x 2 oversized frames', send);
	expect(codes).toEqual(Array(10).fill('1009'));
}, 120_000);

// The stall once put down to oversized frames was the contract PDFs of the
// engagement the test had just made: pdfkit laid them out on the event loop
// (some 150 ms each, seen with --cpu-prof). They are made on a worker thread.
it('contract emails carry their PDF (laid out on a worker thread) while /healthz is answered', async () => {
	const coach = new Visitor(server.url);
	await coach.signUp('Casey Coach', uniqueEmail('coach'));
	const coachee = new Visitor(server.url);
	await coachee.signUp('Sam Coachee', uniqueEmail('coachee'));
	const engagementId = await coach.createEngagement();
	await coachee.acceptInvite(await coach.createInvite(engagementId));
	const pdfs = () => pdfMailsTo([coach.email, coachee.email]);
	await respondsDuring('contract PDFs', async () => {
		await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: coachee, name: 'Sam Coachee' }], engagementId);
		// "Please review" to the coachee, then "in force" to both.
		const end = Date.now() + 30_000;
		while ((await pdfs()) < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
	});
	expect(await pdfs()).toBe(3);
}, 120_000);

async function pdfMailsTo(addresses: string[]): Promise<number> {
	return (await outboxMails(server)).filter((m) => addresses.some((a) => addressedTo(m, a)) && m.attachments.some((a) => a.filename?.endsWith('.pdf') && a.content.subarray(0, 5).toString() === '%PDF-')).length;
}
