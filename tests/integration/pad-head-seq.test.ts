/**
 * The head-row sequence under concurrent appends from two instances (issue
 * 16): two stores over two connection pools on one PostgreSQL schema append
 * real Yjs updates to the same documents at the same time, in batches as the
 * writer sends them. Whatever the interleaving: each document's seqs are
 * 1..n with no gap and no duplicate, every acknowledged update is stored
 * under the seq it was acknowledged with, and the two sides' documents,
 * rebuilt from what each received (its own updates plus the other's, through
 * the feed that orders them), converge on what the database holds. A sealed
 * head stores nothing more, from either side.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { sql } from 'kysely';
import { openStore, type Store } from '../../server/store/index.ts';
import { createPostgresPadStore, type PadHeads } from '../../server/pad/store/index.ts';
import { DocFeed } from '../../server/pad/feed.ts';
import { freshPostgresSchema } from '../helpers/server.ts';

let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
const stores: Store[] = [];
const sides: PadHeads[] = [];

beforeAll(async () => {
	schema = await freshPostgresSchema();
	for (let i = 0; i < 2; i++) {
		const store = await openStore({ dataDir: os.tmpdir(), databaseUrl: schema.url });
		stores.push(store);
		sides.push(createPostgresPadStore(store.db).heads!);
	}
});

afterAll(async () => {
	for (const s of stores) await s.close();
	await schema?.drop();
});

/** One side's edits: batches of (document index, text to insert). */
const batches = fc.array(fc.array(fc.tuple(fc.nat({ max: 2 }), fc.string({ minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });

interface Acked {
	doc: string;
	seq: number;
	data: Uint8Array;
}

/** Runs one side's batches one after the other (as the writer does), each edit made in that side's own Y.Doc first. */
async function runSide(side: PadHeads, docs: Y.Doc[], names: string[], plan: [number, string][][]): Promise<Acked[]> {
	const acked: Acked[] = [];
	for (const batch of plan) {
		const rows = batch.map(([d, text]) => {
			const doc = docs[d]!;
			const before = Y.encodeStateVector(doc);
			doc.getText('t').insert(0, text);
			return { doc: names[d]!, data: Y.encodeStateAsUpdate(doc, before) };
		});
		const seqs = await side.append(rows);
		rows.forEach((r, i) => {
			expect(seqs[i], 'an unsealed document stores every update').not.toBeNull();
			acked.push({ ...r, seq: seqs[i]! });
		});
	}
	return acked;
}

const textOf = (d: Y.Doc) => d.getText('t').toString();

/** A side's documents after receiving the other side's acknowledged updates in the given order, through feeds. */
function receive(docs: Y.Doc[], names: string[], own: Acked[], other: Acked[]): void {
	const feeds = names.map(
		(name, i) =>
			new DocFeed({ name, lastSeq: 0, peerCount: 0, applyRemote: (u) => Y.applyUpdate(docs[i]!, u), sealedElsewhere: () => {}, applyRemoteAwareness: () => {}, remoteAwarenessOwners: () => [], dropRemoteAwareness: () => {} }, () => {}, 60_000)
	);
	for (const a of own) feeds[names.indexOf(a.doc)]!.own(a.seq);
	for (const a of other) feeds[names.indexOf(a.doc)]!.remote(a.seq, a.data);
	for (const f of feeds) {
		expect(f.gapped, 'with every seq known, nothing is held back').toBe(false);
		f.stop();
	}
}

describe('pad head rows under concurrent appends from two instances', () => {
	let run = 0;
	it('no gaps, no duplicates, every acknowledged update stored, both sides converge', async () => {
		await fc.assert(
			fc.asyncProperty(batches, batches, fc.boolean(), async (planA, planB, reverse) => {
				run++;
				const names = [0, 1, 2].map((i) => `prop-${run}-${i}`);
				const docsA = names.map(() => new Y.Doc());
				const docsB = names.map(() => new Y.Doc());
				const [ackedA, ackedB] = await Promise.all([runSide(sides[0]!, docsA, names, planA), runSide(sides[1]!, docsB, names, planB)]);

				const rows = await sql<{ doc: string; seq: number; data: Uint8Array }>`SELECT doc, seq, data FROM pad_updates WHERE doc = ANY(${names}) ORDER BY doc, seq`.execute(stores[0]!.db);
				const all = [...ackedA, ...ackedB];
				for (const name of names) {
					const seqs = rows.rows.filter((r) => r.doc === name).map((r) => r.seq);
					const acked = all.filter((a) => a.doc === name);
					expect(seqs, `${name}: seqs 1..n`).toEqual(acked.map((_, i) => i + 1));
					const heads = await sides[0]!.heads([name]);
					expect(heads.get(name)?.seq ?? 0).toBe(acked.length);
				}
				for (const a of all) {
					const row = rows.rows.find((r) => r.doc === a.doc && r.seq === a.seq);
					expect(row && Buffer.from(row.data).equals(Buffer.from(a.data)), `${a.doc}#${a.seq} stored as acknowledged`).toBe(true);
				}

				// Each side receives the other's updates, in an order the fan-out could deliver (stream order differs from seq order).
				const order = (xs: Acked[]) => (reverse ? [...xs].reverse() : xs);
				receive(docsA, names, ackedA, order(ackedB));
				receive(docsB, names, ackedB, order(ackedA));
				for (const [i, name] of names.entries()) {
					const fromDb = new Y.Doc();
					const missed = await sides[1]!.readAfter(name, 0);
					for (const u of missed.updates) Y.applyUpdate(fromDb, u.data);
					expect(textOf(docsA[i]!)).toBe(textOf(docsB[i]!));
					expect(textOf(docsA[i]!)).toBe(textOf(fromDb));
				}
			}),
			{ numRuns: 25 }
		);
	});

	it('a document sealed by one side takes nothing more from either', async () => {
		const name = 'sealed-doc';
		const update = (text: string) => {
			const d = new Y.Doc();
			d.getText('t').insert(0, text);
			return Y.encodeStateAsUpdate(d);
		};
		expect(await sides[0]!.append([{ doc: name, data: update('a') }])).toEqual([1]);
		await sides[1]!.seal([name]);
		expect(await sides[0]!.append([{ doc: name, data: update('b') }, { doc: 'other-doc', data: update('c') }])).toEqual([null, 1]);
		expect(await sides[1]!.append([{ doc: name, data: update('d') }])).toEqual([null]);
		const missed = await sides[0]!.readAfter(name, 0);
		expect(missed.sealed).toBe(true);
		expect(missed.updates.map((u) => u.seq)).toEqual([1]);
	});

	it('folding under the head lock keeps exactly the rows after uptoSeq, whoever wrote them', async () => {
		const name = 'fold-doc';
		const d = new Y.Doc();
		const edit = (text: string) => {
			const before = Y.encodeStateVector(d);
			d.getText('t').insert(d.getText('t').length, text);
			return Y.encodeStateAsUpdate(d, before);
		};
		await sides[0]!.append([{ doc: name, data: edit('a') }, { doc: name, data: edit('b') }]);
		await sides[1]!.append([{ doc: name, data: edit('c') }]);
		const [folded] = await Promise.all([sides[0]!.fold(name, 2), sides[1]!.append([{ doc: name, data: edit('d') }])]);
		expect(folded?.seq).toBe(2);
		const after = await sides[1]!.readAfter(name, 0);
		expect(after.snapshot?.seq).toBe(2);
		expect(after.updates.map((u) => u.seq)).toEqual([3, 4]);
		const rebuilt = new Y.Doc();
		for (const p of [after.snapshot!.data, ...after.updates.map((u) => u.data)]) Y.applyUpdate(rebuilt, p);
		expect(textOf(rebuilt)).toBe('abcd');
	});
});
