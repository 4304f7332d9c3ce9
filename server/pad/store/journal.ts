/**
 * The pad's write-ahead journal on SQLite: every accepted update is appended
 * to a file here as it is accepted (a retried batch as one record), before
 * it is relayed; the
 * documents' snapshots in SQLite take its content over in the background and
 * a segment file is deleted once every document in it has a snapshot that
 * covers it. At start-up, whatever a crash left in the journal goes into the
 * store before any document loads (see the SQLite pad store's recover).
 *
 * Why a file and not a table: an append here is one write system call
 * (about 3 µs), where a SQLite commit writes a log frame for every document
 * page it touches (15-20 µs a turn, more with several documents), and that
 * difference was the pad's whole gap to a memory-only relay under load
 * (docs/benchmarks.md).
 *
 * Durability is SQLite's with synchronous = NORMAL: a completed write is in
 * the operating system's cache, so a killed process loses nothing; the file
 * is flushed to disk every `journalSyncMs` on the thread pool, so a power cut
 * loses at most about that much.
 *
 * Record: u32 payload length, u32 CRC-32 of the payload (little-endian),
 * payload = count, then per update the document name, its seq and bytes
 * (lib0 var-encoding). A record cut short by a crash fails its length or
 * checksum; reading a segment stops there, and nothing in it had been relayed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import * as decoding from 'lib0/decoding';
import type { Logger } from '../../log/index.ts';
import type { StoredUpdate } from './types.ts';

const HEADER_BYTES = 8;
const SEGMENT = /^(\d{12})\.log$/;
const LOCK_FILE = 'owner.pid';

export interface JournalOptions {
	/** Start a new segment file once the current one holds this many bytes. */
	segmentBytes: number;
	/** Flush written records to disk this often (on the thread pool). */
	syncMs: number;
}

interface Segment {
	readonly file: string;
	/** Per document, the highest seq this segment holds that no snapshot covers yet. */
	readonly uncovered: Map<string, number>;
}

function segmentFile(dir: string, n: number): string {
	return path.join(dir, `${String(n).padStart(12, '0')}.log`);
}

// Grown as needed and reused: a record is written out before the next one is encoded.
let scratch = Buffer.allocUnsafe(64 * 1024);

function putVarUint(at: number, n: number): number {
	while (n > 0x7f) {
		scratch[at++] = (n & 0x7f) | 0x80;
		n = Math.floor(n / 128);
	}
	scratch[at++] = n;
	return at;
}

/**
 * The rows as one record, in lib0's var-encoding (what decodeRecords reads),
 * written by hand into a reused buffer: an encoder object per update cost
 * more than the write itself under load. The result is valid until the next call.
 */
export function encodeRecord(rows: readonly StoredUpdate[]): Uint8Array {
	let most = HEADER_BYTES + 5;
	for (const r of rows) most += 3 * r.doc.length + r.data.length + 15;
	if (most > scratch.length) scratch = Buffer.allocUnsafe(Math.max(most, scratch.length * 2));
	let at = putVarUint(HEADER_BYTES, rows.length);
	for (const r of rows) {
		const nameAt = at + 5; // room for the name's length, moved down once known
		const nameBytes = scratch.write(r.doc, nameAt, 'utf8');
		const afterLength = putVarUint(at, nameBytes);
		scratch.copyWithin(afterLength, nameAt, nameAt + nameBytes);
		at = putVarUint(afterLength + nameBytes, r.seq);
		at = putVarUint(at, r.data.length);
		scratch.set(r.data, at);
		at += r.data.length;
	}
	scratch.writeUInt32LE(at - HEADER_BYTES, 0);
	scratch.writeUInt32LE(crc32(scratch.subarray(HEADER_BYTES, at)), 4);
	return scratch.subarray(0, at);
}

/**
 * The updates in one segment's bytes, up to the first record that is
 * incomplete or damaged (`only`: just that document's, the others not copied).
 */
export function decodeRecords(bytes: Uint8Array, only?: string): { updates: StoredUpdate[]; validBytes: number } {
	const updates: StoredUpdate[] = [];
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let at = 0;
	while (at + HEADER_BYTES <= bytes.length) {
		const length = view.getUint32(at, true);
		const end = at + HEADER_BYTES + length;
		if (length === 0 || end > bytes.length) break;
		const payload = bytes.subarray(at + HEADER_BYTES, end);
		if (crc32(payload) !== view.getUint32(at + 4, true)) break;
		try {
			const d = decoding.createDecoder(payload);
			const records: StoredUpdate[] = [];
			for (let n = decoding.readVarUint(d); n > 0; n--) {
				const doc = decoding.readVarString(d);
				const seq = decoding.readVarUint(d);
				const data = decoding.readVarUint8Array(d);
				if (only === undefined || doc === only) records.push({ doc, seq, data: data.slice() });
			}
			updates.push(...records);
		} catch {
			break;
		}
		at = end;
	}
	return { updates, validBytes: at };
}

/** "pid start-time": the start time tells a live owner from an unrelated process that got its pid later. */
export function processIdentity(pid: number): string | null {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
	} catch {
		return null;
	}
}

export class PadJournal {
	private readonly dir: string;
	private readonly options: JournalOptions;
	private readonly log: Logger;
	private readonly closed: Segment[] = [];
	private active: Segment | null = null;
	private fd: number | null = null;
	private size = 0;
	private next: number;
	private unsynced = false;
	private readonly syncTimer: NodeJS.Timeout;

	/**
	 * Opens the journal folder, taking it over from a process that is gone.
	 * Call `recover()` next: the journal appends to fresh segments only after
	 * the old ones have been read and stored.
	 */
	constructor(dir: string, options: JournalOptions, log: Logger) {
		this.dir = dir;
		this.options = options;
		this.log = log.child({ journal: dir });
		fs.mkdirSync(dir, { recursive: true });
		this.claim();
		const numbers = this.segmentNumbers();
		this.next = (numbers.at(-1) ?? 0) + 1;
		this.syncTimer = setInterval(() => this.flushToDisk(), options.syncMs);
		this.syncTimer.unref();
	}

	// Two processes appending to and deleting each other's segments would lose updates.
	private claim() {
		const lock = path.join(this.dir, LOCK_FILE);
		const owner = fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8').trim() : '';
		const pid = Number(owner.split(' ')[0]);
		if (owner && pid !== process.pid && processIdentity(pid) === owner) {
			throw new Error(`Another Confidante process (pid ${pid}) is using ${this.dir}; one data folder serves one process: give the other a DATA_DIR of its own.`);
		}
		fs.writeFileSync(lock, processIdentity(process.pid) ?? String(process.pid));
	}

	private segmentNumbers(): number[] {
		return fs
			.readdirSync(this.dir)
			.map((f) => SEGMENT.exec(f)?.[1])
			.filter((n): n is string => n !== undefined)
			.map(Number)
			.sort((a, b) => a - b);
	}

	/**
	 * Every update left in the journal by the previous process, oldest first.
	 * `store` must have them durably when it returns; the old segments are
	 * deleted then. A damaged record ends its segment's reading (it was never
	 * relayed: it was being written when the process died).
	 */
	recover(store: (updates: StoredUpdate[]) => void): number {
		const files = this.segmentNumbers().map((n) => segmentFile(this.dir, n));
		const updates: StoredUpdate[] = [];
		for (const file of files) {
			const bytes = fs.readFileSync(file);
			const read = decodeRecords(bytes);
			if (read.validBytes < bytes.length) this.log.warn({ file, ignoredBytes: bytes.length - read.validBytes }, 'pad journal segment ends in an incomplete record (written as the process died); ignoring it');
			updates.push(...read.updates);
		}
		if (updates.length > 0) store(updates);
		for (const file of files) fs.rmSync(file, { force: true });
		if (files.length > 0) this.log.info({ segments: files.length, updates: updates.length }, 'pad journal recovered into the store');
		return updates.length;
	}

	/** Appends the updates as one record; throws (having written nothing usable) when the write fails. */
	append(rows: readonly StoredUpdate[]): void {
		if (rows.length === 0) return;
		const record = encodeRecord(rows);
		const segment = this.writable();
		try {
			const written = fs.writeSync(this.fd!, record);
			if (written !== record.length) throw new Error(`short write to the pad journal (${written} of ${record.length} bytes)`);
		} catch (err) {
			// A partial record ends this segment for reading; later records go to a new one.
			this.retireActive();
			throw err;
		}
		this.size += record.length;
		this.unsynced = true;
		for (const r of rows) if ((segment.uncovered.get(r.doc) ?? 0) < r.seq) segment.uncovered.set(r.doc, r.seq);
		if (this.size >= this.options.segmentBytes) this.retireActive();
	}

	/** The document's snapshot now holds every update up to `seq`: segments that held only such updates go. */
	covered(doc: string, seq: number): void {
		for (const segment of this.live()) {
			const highest = segment.uncovered.get(doc);
			if (highest !== undefined && highest <= seq) segment.uncovered.delete(doc);
		}
		for (let i = this.closed.length - 1; i >= 0; i--) {
			const segment = this.closed[i]!;
			if (segment.uncovered.size > 0) continue;
			this.closed.splice(i, 1);
			this.remove(segment.file);
		}
		// Everything written so far is in snapshots: start afresh rather than keep a file of stale records.
		if (this.active && this.active.uncovered.size === 0 && this.size > 0) this.retireActive();
	}

	/**
	 * The document's updates that no snapshot covers yet, in the order they
	 * were written (a retried one may come twice). Reads the segment files
	 * that hold any: a rare path (a document leaves memory only once
	 * compacted), kept off the append path.
	 */
	read(doc: string): StoredUpdate[] {
		const updates: StoredUpdate[] = [];
		for (const segment of this.live()) {
			if (segment.uncovered.has(doc)) updates.push(...decodeRecords(fs.readFileSync(segment.file), doc).updates);
		}
		return updates;
	}

	/**
	 * Rewrites every segment file that holds a record of these documents
	 * without them (an engagement's content erased): the current segment is
	 * retired first, so appends go on in a fresh file. Synchronous, so no
	 * append can interleave; each file is replaced by a rename.
	 */
	forget(docs: ReadonlySet<string>): void {
		this.retireActive();
		for (const n of this.segmentNumbers()) {
			const file = segmentFile(this.dir, n);
			let bytes: Buffer;
			try {
				bytes = fs.readFileSync(file);
			} catch (err) {
				// A segment nobody needed any more, deleted meanwhile on the thread pool.
				if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
				throw err;
			}
			const { updates } = decodeRecords(bytes);
			if (!updates.some((u) => docs.has(u.doc))) continue;
			const kept = updates.filter((u) => !docs.has(u.doc));
			const tmp = `${file}.tmp`;
			const fd = fs.openSync(tmp, 'w');
			try {
				if (kept.length > 0) fs.writeSync(fd, encodeRecord(kept));
				fs.fsyncSync(fd);
			} finally {
				fs.closeSync(fd);
			}
			fs.renameSync(tmp, file);
		}
		for (const segment of this.closed) for (const d of docs) segment.uncovered.delete(d);
		this.log.info({ documents: docs.size }, 'pad journal rewritten without erased documents');
	}

	/** True when some segment holds an update of the document that no snapshot covers. */
	holds(doc: string): boolean {
		return this.live().some((s) => s.uncovered.has(doc));
	}

	private live(): Segment[] {
		return this.active ? [...this.closed, this.active] : this.closed;
	}

	/** Segment files not yet deleted (for tests and stats). */
	get segments(): number {
		return this.closed.length + (this.active ? 1 : 0);
	}

	close(): void {
		clearInterval(this.syncTimer);
		if (this.fd !== null) {
			fs.fdatasyncSync(this.fd);
			fs.closeSync(this.fd);
			this.fd = null;
		}
		fs.rmSync(path.join(this.dir, LOCK_FILE), { force: true });
	}

	private writable(): Segment {
		if (this.active && this.fd !== null) return this.active;
		const file = segmentFile(this.dir, this.next++);
		this.fd = fs.openSync(file, 'a');
		this.size = 0;
		this.active = { file, uncovered: new Map() };
		return this.active;
	}

	private retireActive() {
		if (!this.active || this.fd === null) return;
		const fd = this.fd;
		const segment = this.active;
		this.fd = null;
		this.active = null;
		// Flush and close off the main thread; a segment nobody needs is deleted straight away.
		fs.fdatasync(fd, (err) => {
			if (err) this.log.warn({ err, file: segment.file }, 'pad journal segment could not be flushed to disk');
			fs.close(fd, () => {});
		});
		if (segment.uncovered.size === 0) this.remove(segment.file);
		else this.closed.push(segment);
	}

	private flushToDisk() {
		if (!this.unsynced || this.fd === null) return;
		this.unsynced = false;
		const file = this.active?.file;
		fs.fdatasync(this.fd, (err) => {
			// EBADF: the segment was retired (and flushed) meanwhile.
			if (err && err.code !== 'EBADF') this.log.warn({ err, file }, 'pad journal could not be flushed to disk');
		});
	}

	private remove(file: string) {
		fs.rm(file, { force: true }, (err) => {
			if (err) this.log.warn({ err, file }, 'a pad journal segment no longer needed could not be deleted');
		});
	}
}
