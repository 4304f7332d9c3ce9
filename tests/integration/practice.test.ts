/**
 * Issue 14, part 3, the coach's practice, on SQLite and PostgreSQL: the hours
 * log comes from sessions really started and ended through the server (the
 * room's start and end, never the planned 60 minutes), paid or pro bono and
 * the organisation as the coach sets them; the CSV, read back with a CSV
 * parser, names only the client whose contract records consent and shows
 * the other as a stable label; a formula in a cell is defused. Supervision
 * notes are the coach's alone, and their Markdown export carries none of
 * the coachee's or the sponsor's identifying details. Coachee, sponsor,
 * stranger and signed-out visitors are refused (the scheme coordinator by
 * the route-tree walk in schemes.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, agreeContract, coachingPair, joinAsSponsor, uniqueEmail } from '../helpers/http.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';
import { HOURS_CSV_COLUMNS, roundHours } from '../../shared/practice/index.ts';
import type { ContractBody } from '../../shared/contract/index.ts';

const HOLD_MS = 20_000;
const EMPTY_ROOM_MS = 12_000;
const NOTE_MARK = 'REFLECTION-9f3c';
const today = (at: number) => new Date(at).toISOString().slice(0, 10);

async function person(base: string, name: string, who: string) {
	const visitor = new Visitor(base);
	const email = uniqueEmail(who);
	await visitor.signUp(name, email);
	return { visitor, email, name };
}

/** An engagement with one coachee who joined and a contract in force, changed by `change`. */
async function engagementWith(coach: { visitor: Visitor; name: string }, coachee: { visitor: Visitor; name: string }, title: string, change?: (b: ContractBody) => void) {
	const id = await coach.visitor.createEngagement({ title });
	const joined = await coachee.visitor.acceptInvite(await coach.visitor.createInvite(id));
	if (joined.type !== 'redirect') throw new Error(`invite refused: ${JSON.stringify(joined)}`);
	await agreeContract(coach, [coachee], id, { change });
	return id;
}

/** Holds a session live for HOLD_MS through the server; returns the wall-clock window it lay inside. */
async function holdSession(base: string, coach: Visitor, engagementId: string) {
	const sessionId = await coach.scheduleSession(engagementId);
	const before = Date.now();
	await writeAndEndSession(base, coach.cookie, sessionId, { note: 'n', action: 'a', privateNote: 'p' }, HOLD_MS);
	return { sessionId, before, after: Date.now() };
}

const csvOf = async (v: Visitor) => {
	const res = await v.get('/practice/hours.csv');
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toContain('text/csv');
	return parse(await res.text(), { bom: true }) as string[][];
};

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the coach's practice on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			// A room left empty ends by itself after 12 s here (15 minutes by default).
			server = await startServer({ db, env: { EMPTY_SESSION_END_MINUTES: String(EMPTY_ROOM_MS / 60_000) } });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('logs the hours held, names only the client who consented, exports CSV and supervision notes without identifying anyone, and refuses everyone else', async () => {
			const base = server.url;
			const [coach, sam, robin, stranger] = await Promise.all([
				person(base, 'Casey Coach', 'casey'),
				person(base, 'Samira Okafor', 'samira'),
				person(base, 'Robin Vale', 'robin'),
				person(base, 'Stella Stranger', 'stella')
			]);
			const patEmail = uniqueEmail('pat');
			// Samira agrees, in the contract, to be listed by name; the contract names her sponsor.
			const named = await engagementWith(coach, sam, 'Samira and the new team', (b) => {
				b.coachingLog = { listByName: true };
				b.stakeholders.sponsor = { name: 'Patricia Lindqvist', organisation: 'Northwind Traders', email: patEmail, pays: true };
			});
			// Robin's contract is the template's: no consent.
			const unnamed = await engagementWith(coach, robin, 'Robin: finding a direction');
			const { sponsor } = await joinAsSponsor(base, coach.visitor, named, 'Patricia Lindqvist');

			// Before any session: both engagements, no hours, nothing in the CSV but its header.
			expect(await csvOf(coach.visitor)).toEqual([[...HOURS_CSV_COLUMNS]]);

			// The coach sets funding and organisation; bad input is refused with a reason.
			const setLog = (v: Visitor, engagementId: string, fields: Record<string, string>) => v.action('/practice?/log', { engagementId, ...fields });
			expect(await setLog(coach.visitor, named, { funding: 'free', organisation: '' })).toMatchObject({ status: 400, data: { error: { field: 'funding' } } });
			expect(await setLog(coach.visitor, named, { funding: 'paid', organisation: 'x'.repeat(121) })).toMatchObject({ status: 400, data: { error: { field: 'organisation' } } });
			expect(await setLog(coach.visitor, named, { funding: 'paid', organisation: '  Northwind   Traders ' })).toMatchObject({ type: 'success' });
			expect(await setLog(coach.visitor, unnamed, { funding: 'pro_bono', organisation: 'Valeworks Cooperative' })).toMatchObject({ type: 'success' });

			// Real sessions, started and ended through the server.
			const [s1, s2] = await Promise.all([holdSession(base, coach.visitor, named), holdSession(base, coach.visitor, unnamed)]);

			const rows = await csvOf(coach.visitor);
			expect(rows[0]).toEqual([...HOURS_CSV_COLUMNS]);
			expect(rows).toHaveLength(3);
			const samRow = rows.find((r) => r[0] === 'Samira Okafor')!;
			const robinRow = rows.find((r) => r[0] !== 'Samira Okafor' && r !== rows[0])!;
			expect(samRow.slice(0, 5)).toEqual(['Samira Okafor', sam.email, 'Individual', '', 'Northwind Traders']);
			// Robin's engagement began second: "Client 2", with no address and no organisation.
			expect(robinRow.slice(0, 5)).toEqual(['Client 2', '', 'Individual', '', '']);
			for (const [row, window] of [[samRow, s1], [robinRow, s2]] as const) {
				expect([today(window.before), today(window.after)]).toContain(row[5]);
				expect([today(window.before), today(window.after)]).toContain(row[6]);
			}
			// Held for HOLD_MS, inside the window the test watched: the room's duration, not the planned hour.
			const within = (cell: string, w: { before: number; after: number }) => {
				expect(Number(cell)).toBeGreaterThanOrEqual(roundHours(HOLD_MS));
				expect(Number(cell)).toBeLessThanOrEqual(roundHours(w.after - w.before));
			};
			within(samRow[7]!, s1);
			expect(samRow[8]).toBe('0.00');
			expect(robinRow[7]).toBe('0.00');
			within(robinRow[8]!, s2);
			const csvText = await (await coach.visitor.get('/practice/hours.csv')).text();
			for (const s of ['Robin', robin.email, 'Valeworks']) expect(csvText).not.toContain(s);

			// The page shows the same, with each session's length in seconds from the room.
			const page = await (await coach.visitor.get('/practice')).text();
			expect(page).toContain('Samira and the new team');
			expect(page).toContain('Listed by name in your log');
			expect(page).toContain('Shown as <strong>Client 2</strong>');
			const seconds = [...page.matchAll(/· (\d+) s<\/li>/g)].map((m) => Number(m[1]));
			expect(seconds).toHaveLength(2);
			for (const s of seconds) {
				expect(s).toBeGreaterThanOrEqual(HOLD_MS / 1000);
				expect(s).toBeLessThanOrEqual(Math.ceil(Math.max(s1.after - s1.before, s2.after - s2.before) / 1000));
			}

			// A formula typed as an organisation reaches the CSV as text.
			expect(await setLog(coach.visitor, named, { funding: 'paid', organisation: '=HYPERLINK("http://evil.example","x")' })).toMatchObject({ type: 'success' });
			expect((await csvOf(coach.visitor)).find((r) => r[0] === 'Samira Okafor')![4]).toBe('\'=HYPERLINK("http://evil.example","x")');
			expect(await setLog(coach.visitor, named, { funding: 'paid', organisation: 'Northwind Traders' })).toMatchObject({ type: 'success' });

			// Supervision notes: the coach writes about Samira by name; the export names nobody.
			const notes = `/practice/${named}`;
			expect(await coach.visitor.action(`${notes}?/add`, { body: '   ' })).toMatchObject({ status: 400, data: { error: { field: 'body' } } });
			expect(await coach.visitor.action(`${notes}?/add`, { body: 'x'.repeat(20_001) })).toMatchObject({ status: 400 });
			const written = `${NOTE_MARK}: Samira Okafor (${sam.email}) at Northwind Traders froze when Patricia Lindqvist (${patEmail}) joined. I noticed my own rush to reassure SAMIRA; take to supervision. Okafor's energy came back when we named it.`;
			const added = await coach.visitor.action(`${notes}?/add`, { body: written });
			expect(added.type).toBe('success');
			const noteId = added.data.added as string;
			expect(await coach.visitor.action(`${notes}?/edit`, { noteId: 'nope', body: 'x' })).toMatchObject({ status: 404 });
			expect(await coach.visitor.action(`${notes}?/edit`, { noteId, body: `${written} Patricia's view matters less than Samira's.` })).toMatchObject({ type: 'success' });
			expect(await coach.visitor.action(`${notes}?/add`, { body: 'A second note, to delete.' })).toMatchObject({ type: 'success' });
			const second = /name="noteId" value="([a-z2-7]+)"/g;
			const ids = [...(await (await coach.visitor.get(notes)).text()).matchAll(second)].map((m) => m[1]!);
			expect(ids).toHaveLength(2);
			const toDelete = ids.find((i) => i !== noteId)!;
			expect(await coach.visitor.action(`${notes}?/remove`, { noteId: toDelete })).toMatchObject({ type: 'success' });
			expect(await coach.visitor.action(`${notes}?/remove`, { noteId: toDelete })).toMatchObject({ status: 404 });
			expect(await (await coach.visitor.get(notes)).text()).toContain(NOTE_MARK);

			const md = await coach.visitor.get(`${notes}/supervision.md`);
			expect(md.status).toBe(200);
			expect(md.headers.get('content-disposition')).toContain('supervision-client-1.md');
			const exported = await md.text();
			expect(exported).toContain(NOTE_MARK);
			expect(exported).toContain('Client 1 (Client 1 (email withheld)) at Client 1’s organisation froze when Client 1’s sponsor (Client 1’s sponsor (email withheld)) joined.');
			const identifying = ['Samira', 'Okafor', sam.email, sam.email.split('@')[0]!, 'Northwind', 'Traders', 'Patricia', 'Lindqvist', patEmail, patEmail.split('@')[0]!, 'Samira and the new team'];
			for (const s of identifying) expect(exported.toLowerCase(), s).not.toContain(s.toLowerCase());
			expect(exported).not.toContain('A second note, to delete.');

			// Everyone else: the per-engagement pages, the export and every form answer 404; their own log is empty.
			const secrets = [NOTE_MARK, 'Samira and the new team', 'Robin: finding a direction', 'Northwind', 'Valeworks'];
			for (const v of [sam.visitor, robin.visitor, sponsor, stranger.visitor]) {
				for (const url of [notes, `${notes}/supervision.md`, `/practice/${unnamed}`, `/practice/${unnamed}/supervision.md`]) {
					const res = await v.get(url);
					expect(res.status, url).toBe(404);
					const text = await res.text();
					for (const s of secrets) expect(text, url).not.toContain(s);
				}
				expect(await v.action(`${notes}?/add`, { body: 'not theirs' })).toMatchObject({ status: 404 });
				expect(await v.action(`${notes}?/edit`, { noteId, body: 'overwritten' })).toMatchObject({ status: 404 });
				expect(await v.action(`${notes}?/remove`, { noteId })).toMatchObject({ status: 404 });
				expect(await setLog(v, named, { funding: 'pro_bono', organisation: 'Hijack' })).toMatchObject({ status: 404 });
				const own = await (await v.get('/practice')).text();
				for (const s of secrets) expect(own).not.toContain(s);
				expect(await csvOf(v)).toEqual([[...HOURS_CSV_COLUMNS]]);
			}
			const signedOut = new Visitor(base);
			for (const url of ['/practice', '/practice/hours.csv', notes, `${notes}/supervision.md`]) {
				const res = await signedOut.get(url);
				expect(res.status, url).toBe(303);
				expect(res.headers.get('location')).toContain('/signin');
			}
			// Nothing the others tried changed the coach's records.
			const after = await csvOf(coach.visitor);
			expect(after.find((r) => r[0] === 'Samira Okafor')!.slice(4, 5)).toEqual(['Northwind Traders']);
			expect(await (await coach.visitor.get(notes)).text()).not.toContain('overwritten');

			// Consent withdrawn in an amended contract: from then on Samira is "Client 1", with no address.
			await agreeContract(coach, [sam], named, { change: (b) => void (b.coachingLog = { listByName: false }) });
			const amended = await csvOf(coach.visitor);
			expect(amended.map((r) => r[0]).sort()).toEqual(['Client', 'Client 1', 'Client 2'].sort());
			expect(JSON.stringify(amended)).not.toContain(sam.email);
		}, 90_000); // holds a session for HOLD_MS on purpose

		it('counts a session that ended by itself only until its room emptied', async () => {
			const { coach, engagementId, sessionId } = await coachingPair(server.url);
			const socket = connect(server.url, coach.cookie);
			await connected(socket);
			const before = Date.now();
			expect(await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
			await new Promise((r) => setTimeout(r, 3_000));
			await request(socket, 'session:leave', { sessionId });
			socket.close();
			// Ended by the server once the room had been empty for EMPTY_ROOM_MS, so before we see its summary.
			await expect.poll(async () => (await coach.get(`/sessions/${sessionId}/summary`)).status, { timeout: EMPTY_ROOM_MS + 20_000, interval: 500 }).toBe(303);
			const seen = Date.now();
			const page = await (await coach.get('/practice')).text();
			expect(page).toContain(`/engagements/${engagementId}`);
			const [seconds] = [...page.matchAll(/· (\d+) s<\/li>/g)].map((m) => Number(m[1]));
			// At least the 3 s the coach was in; at most the time until the end was seen less the empty 12 s (which counting to the end would include).
			expect(seconds).toBeGreaterThanOrEqual(3);
			expect(seconds).toBeLessThanOrEqual(Math.round((seen - before - EMPTY_ROOM_MS) / 1000));
		}, 90_000); // waits for the empty room to end the session
	});
}
