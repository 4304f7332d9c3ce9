/**
 * Seeded property tests of the pad journal's byte format
 * (server/pad/store/journal.ts): records read back exactly; any truncation,
 * and any corruption of up to four consecutive bytes, is detected, and
 * nothing from the damaged record on is replayed; the same holds for a
 * segment file cut short on disk and recovered by a fresh journal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import pino from 'pino';
import { PadJournal, decodeRecords, encodeRecord } from '../../server/pad/store/journal.ts';
import type { StoredUpdate } from '../../server/pad/store/index.ts';

const quiet = pino({ level: 'silent' });
const SEED = 20261201;

const update = fc.record({
	doc: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
	seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
	data: fc.uint8Array({ maxLength: 200 })
});
const records = fc.array(fc.array(update, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

/** The records' bytes one after another, and where each record ends. */
function segment(recs: StoredUpdate[][]): { bytes: Buffer; ends: number[] } {
	// encodeRecord reuses its buffer: copy each record out before the next.
	const parts = recs.map((r) => Buffer.from(encodeRecord(r)));
	const ends: number[] = [];
	parts.reduce((at, p) => (ends.push(at + p.length), at + p.length), 0);
	return { bytes: Buffer.concat(parts), ends };
}

const plain = (u: StoredUpdate[]) => u.map((x) => ({ doc: x.doc, seq: x.seq, data: [...x.data] }));
/** What reading should give when the first `whole` records are intact. */
const firstRecords = (recs: StoredUpdate[][], whole: number) => plain(recs.slice(0, whole).flat());

test.prop([records], { seed: SEED, numRuns: 300 })('records read back exactly, in order', (recs) => {
	const { bytes } = segment(recs);
	const read = decodeRecords(bytes);
	expect(read.validBytes).toBe(bytes.length);
	expect(plain(read.updates)).toEqual(plain(recs.flat()));
});

test.prop([records, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })], { seed: SEED, numRuns: 300 })(
	'a segment cut anywhere gives exactly the records wholly before the cut',
	(recs, where) => {
		const { bytes, ends } = segment(recs);
		const cut = Math.floor(where * bytes.length);
		const whole = ends.filter((e) => e <= cut).length;
		const read = decodeRecords(bytes.subarray(0, cut));
		expect(read.validBytes).toBe(whole === 0 ? 0 : ends[whole - 1]);
		expect(plain(read.updates)).toEqual(firstRecords(recs, whole));
	}
);

test.prop(
	[records, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 4 })],
	{ seed: SEED, numRuns: 500 }
)('corrupting up to four consecutive bytes anywhere is detected: nothing from that record on is read', (recs, where, flips) => {
	const { bytes, ends } = segment(recs);
	const at = Math.floor(where * bytes.length);
	const damaged = Buffer.from(bytes);
	flips.forEach((x, i) => {
		if (at + i < damaged.length) damaged[at + i]! ^= x;
	});
	const hit = ends.findIndex((e) => e > at);
	const read = decodeRecords(damaged);
	expect(plain(read.updates)).toEqual(firstRecords(recs, hit));
	expect(read.validBytes).toBe(hit === 0 ? 0 : ends[hit - 1]);
});

test.prop([records, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })], { seed: SEED, numRuns: 40 })(
	'a journal file cut short on disk: a fresh journal recovers exactly the records before the cut',
	(recs, where) => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-journal-prop-'));
		let writing: PadJournal | undefined;
		try {
			writing = new PadJournal(dir, { segmentBytes: 1024 * 1024, syncMs: 60_000 }, quiet);
			for (const r of recs) writing.append(r);
			const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.log'))!);
			const { ends } = segment(recs);
			const cut = Math.floor(where * fs.statSync(file).size);
			fs.truncateSync(file, cut);
			// The writing process is gone; the next one takes the folder over.
			const next = new PadJournal(dir, { segmentBytes: 1024 * 1024, syncMs: 60_000 }, quiet);
			const recovered: StoredUpdate[] = [];
			next.recover((u) => recovered.push(...u));
			next.close();
			expect(plain(recovered)).toEqual(firstRecords(recs, ends.filter((e) => e <= cut).length));
		} finally {
			writing?.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
);
