/**
 * Export and erasure against the real server, on SQLite and PostgreSQL. A
 * unique marker goes into every text a person fills here (names, title and
 * goals, contract text, pad notes, actions, private notes, a prompt, a
 * proposal, session feedback, a supervision note, the hours log's
 * organisation, the close note and final evaluations, and so the mail about
 * them); the coachee's export never holds the private notes', the coach's
 * reflections' or the supervision note's bytes; after the engagement's
 * erasure by agreement and both accounts' deletion no byte of the marker is
 * left in the database files (and WAL), the pad journal or anywhere in the
 * data folder, and on PostgreSQL in no text or bytea column.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, agreeContract, coachingPair, joinAsSponsor, uniqueEmail } from '../helpers/http.ts';
import { outboxMails, writeAndEndSession } from '../helpers/session-content.ts';
import { setUpTotp } from '../helpers/two-factor.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

const PASSWORD = 'correct horse battery';

/** Every file of the zip, unzipped, as one byte string. */
async function unzipped(res: Response): Promise<{ names: string[]; bytes: Buffer }> {
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/zip');
	const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
	return { names: Object.keys(files), bytes: Buffer.concat(Object.values(files).map((f) => Buffer.from(f))) };
}

/** Every file under dir whose bytes hold the marker (the database, its WAL, the pad journal, the outbox...). */
function filesHolding(dir: string, marker: string): string[] {
	const hits: string[] = [];
	const needle = Buffer.from(marker);
	const walk = (d: string) => {
		for (const f of fs.readdirSync(d)) {
			const p = path.join(d, f);
			if (fs.statSync(p).isDirectory()) walk(p);
			else if (fs.readFileSync(p).includes(needle)) hits.push(path.relative(dir, p));
		}
	};
	walk(dir);
	return hits;
}

/** Every text and bytea column (`table.column`) of the server's database that holds the marker, on either store. */
async function columnsHolding(server: TestServer, marker: string): Promise<string[]> {
	const hits: string[] = [];
	if (!server.env.DATABASE_URL) {
		const db = new DatabaseSync(path.join(server.dataDir, 'confidante.sqlite'), { readOnly: true });
		try {
			const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
			for (const { name } of tables) {
				for (const c of db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]) {
					const n = db.prepare(`SELECT count(*) AS n FROM "${name}" WHERE instr(CAST("${c.name}" AS BLOB), CAST(? AS BLOB)) > 0`).get(marker) as { n: number };
					if (n.n > 0) hits.push(`${name}.${c.name}`);
				}
			}
		} finally {
			db.close();
		}
		return hits;
	}
	const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
	await client.connect();
	try {
		const cols = await client.query<{ table_name: string; column_name: string; data_type: string }>(
			"SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('text', 'bytea', 'character varying')"
		);
		expect(cols.rows.length).toBeGreaterThan(100);
		for (const c of cols.rows) {
			const cond = c.data_type === 'bytea' ? `position(convert_to($1, 'UTF8') in "${c.column_name}") > 0` : `"${c.column_name}" LIKE '%' || $1 || '%'`;
			const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${cond}`, [marker]);
			if (r.rows[0]!.n > 0) hits.push(`${c.table_name}.${c.column_name}`);
		}
		return hits;
	} finally {
		await client.end();
	}
}

/** The coach closes the engagement, both give their final evaluation, and both copies of the report are mailed (so stored). */
async function closeAndEvaluate(server: TestServer, engagementId: string, coach: Visitor, coachee: Visitor, words: { note: string; coachComment: string; reflection: string; coacheeComment: string }) {
	const closing = `/engagements/${engagementId}/closing`;
	expect((await coach.action(`${closing}?/close`, { mode: 'close', reason: 'completed', note: words.note, followUpMonths: '0' })).type).toBe('success');
	const goal = /name="goal\.([^"]+)"/.exec(await (await coach.get(closing)).text())?.[1] ?? '';
	expect(goal).not.toBe('');
	const evaluation = (extra: Record<string, string>) => ({ helpful: '5', learning: '4', gained: '4', organisation: '3', [`goal.${goal}`]: '7', ...extra });
	expect((await coach.action(`${closing}?/evaluate`, evaluation({ comment: words.coachComment, reflection: words.reflection }))).type).toBe('success');
	expect((await coachee.action(`${closing}?/evaluate`, evaluation({ comment: words.coacheeComment }))).type).toBe('success');
	const reports = async () => (await outboxMails(server)).filter((m) => m.subject?.startsWith('Report:') && (m.text ?? '').includes(words.coacheeComment));
	for (let i = 0; i < 150 && (await reports()).length < 2; i++) await new Promise((r) => setTimeout(r, 200));
	expect(await reports(), 'both copies of the report mailed').toHaveLength(2);
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`your data on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('exports per role, erases by agreement, deletes accounts, and leaves no byte of the marker', async () => {
			const M = `qz${Math.random().toString(36).slice(2, 10)}`;
			const coachName = `Casey ${M}name`;
			const coacheeName = `Sam ${M}name`;
			const coach = new Visitor(server.url);
			await coach.signUp(coachName, uniqueEmail('coach'));
			const coachee = new Visitor(server.url);
			await coachee.signUp(coacheeName, uniqueEmail('coachee'));
			const stranger = new Visitor(server.url);
			await stranger.signUp('Stranger Danger', uniqueEmail('stranger'));
			const engagementId = await coach.createEngagement({ title: `Team ${M}title`, goals: `Goal ${M}goals` });
			expect((await coachee.acceptInvite(await coach.createInvite(engagementId))).type).toBe('redirect');
			await agreeContract({ visitor: coach, name: coachName }, [{ visitor: coachee, name: coacheeName }], engagementId, { change: (b) => (b.goals[0]!.measure = `Survey ${M}contract`) });
			const sessionId = await coach.scheduleSession(engagementId);
			const proposal = await coach.action('/proposals/new', { kind: 'coaching', title: 'Another team', request: `Asked ${M}proposal`, prospectName: 'Robin', prospectEmail: uniqueEmail('robin') });
			expect(proposal.type).toBe('redirect');
			const link = await coach.action(`${proposal.location}?/link`);
			const answered = await new Visitor(server.url).action(new URL(link.data.link.url).pathname, {
				respondentName: 'Robin Prospect', respondentRole: 'coachee', 'q.now': `Now ${M}scoping`, 'q.want': 'Speak up', 'q.automatic': 'Habit', 'q.whyNow': 'New role', 'q.measure': 'Survey', sponsorPays: 'no'
			});
			expect(answered.type).toBe('success');

			// Preparation: the coachee's words for the coach, the coach's private note.
			expect((await coachee.action(`/sessions/${sessionId}/prepare`, { want: `Want ${M}prepare`, forCoach: 'Tired' })).data).toMatchObject({ saved: true });
			expect((await coach.action(`/sessions/${sessionId}/prepare`, { privateNote: `Ask ${M}prepnote` })).data).toMatchObject({ saved: true });

			// The coach's own prompt, asked in the session.
			const socket = connect(server.url, coach.cookie);
			await connected(socket);
			expect((await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).ok).toBe(true);
			const prompt = await request<{ id: string }>(socket, 'prompts:create', { sessionId, prompt: { text: `What would ${M}prompt say?`, phase: 'options', themes: ['change'] } });
			expect(prompt.ok).toBe(true);
			expect((await request(socket, 'prompts:ask', { sessionId, id: prompt.ok ? prompt.value.id : '' })).ok).toBe(true);
			socket.close();
			const summaryId = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: `Note ${M}notes`, action: `Do ${M}action`, privateNote: `Private ${M}private` });
			// A download names the engagement in the coachee's activity log ("<title>-session-1.md").
			expect((await coachee.get(`/summaries/${summaryId}.md`)).status).toBe(200);
			// The summary emails are written (with the notes) before anything is erased.
			for (let i = 0; i < 100 && !(await outboxMails(server)).some((m) => (m.text ?? '').includes(`${M}notes`)); i++) await new Promise((r) => setTimeout(r, 200));

			// Not while a session is live: its pad is being written (checked before the close below, which stops bookings).
			const page = `/engagements/${engagementId}`;
			const live = await coach.scheduleSession(engagementId);
			const room = connect(server.url, coach.cookie);
			await connected(room);
			expect((await request(room, 'session:join', { sessionId: live, protocolVersion: PROTOCOL_VERSION })).ok).toBe(true);
			await request(room, 'session:start', { sessionId: live });
			expect(await coachee.action(`${page}?/proposeErasure`)).toMatchObject({ status: 409, data: { erasureError: expect.stringContaining('is live') } });
			expect((await request(room, 'session:end', { sessionId: live })).ok).toBe(true);
			room.close();

			// Feedback on the session: the coachee's answers, the coach's private reflection and note; the coach's supervision note and hours-log organisation.
			expect((await coachee.action(`/summaries/${summaryId}?/feedback`, { usefulness: '4', helped: `Helped ${M}fbhelped`, better: `Better ${M}fbbetter` })).type).toBe('success');
			expect((await coach.action(`/summaries/${summaryId}?/feedback`, { reflection: `Reflect ${M}fbreflect`, noteToCoachee: `Well ${M}fbnote` })).type).toBe('success');
			expect((await coach.action(`/practice/${engagementId}?/add`, { body: `Supervise ${M}supervision` })).type).toBe('success');
			expect((await coach.action('/practice?/log', { engagementId, funding: 'pro_bono', organisation: `Org ${M}org` })).type).toBe('success');
			// Closed, and both final evaluations given: the report is stored and mailed, each in its own copy.
			await closeAndEvaluate(server, engagementId, coach, coachee, { note: `Closed ${M}closenote`, coachComment: `Good ${M}evalcoach`, reflection: `Mine ${M}evalreflect`, coacheeComment: `Thanks ${M}evalcomment` });

			// Exports per role: the coach's holds the private notes and the prompt; the coachee's never a byte of either.
			const coachZip = await unzipped(await coach.get('/settings/data.zip'));
			const fromCoachOnly = ['fbreflect', 'supervision', 'org', 'evalreflect'];
			const fromBoth = ['fbhelped', 'fbbetter', 'fbnote', 'closenote', 'evalcoach', 'evalcomment'];
			for (const s of ['private', 'notes', 'action', 'prompt', 'contract', 'title', 'proposal', 'scoping', 'prepare', 'prepnote', ...fromCoachOnly, ...fromBoth]) expect(coachZip.bytes.includes(`${M}${s}`), `coach export has ${s}`).toBe(true);
			expect(coachZip.names).toEqual(expect.arrayContaining(['README.md', 'account/account.json', 'account/activity.json', 'mail/index.json']));
			const coacheeZip = await unzipped(await coachee.get('/settings/data.zip'));
			for (const s of ['notes', 'action', 'contract', 'title', 'prepare', ...fromBoth]) expect(coacheeZip.bytes.includes(`${M}${s}`), `coachee export has ${s}`).toBe(true);
			for (const s of ['private', 'prompt', 'proposal', 'scoping', 'prepnote', ...fromCoachOnly]) expect(coacheeZip.bytes.includes(`${M}${s}`), `coachee export leaks ${s}`).toBe(false);
			expect(coacheeZip.names.some((n) => n.endsWith('.eml'))).toBe(true);
			const strangerZip = await unzipped(await stranger.get('/settings/data.zip'));
			expect(strangerZip.bytes.includes(M)).toBe(false);
			// Someone else's: refused; signed out: sent to sign in.
			const theirs = await coachee.get(`/settings/data.zip?for=${encodeURIComponent('someone-else')}`);
			expect(theirs.status).toBe(403);
			expect(await theirs.text()).toContain('only your own data');
			expect((await new Visitor(server.url).get('/settings/data.zip')).status).toBe(303);
			// The export is in the audit log.
			expect(await (await coachee.get('/settings/activity')).text()).toContain('all my data');

			// Before erasure the search finds the marker (so finding none afterwards means something).
			const before = filesHolding(server.dataDir, M);
			expect(before.some((f) => f.startsWith('outbox'))).toBe(true);
			expect((await columnsHolding(server, M)).length).toBeGreaterThan(5);

			// Erasing by agreement: nobody outside, nobody alone, never twice.
			for (const step of ['proposeErasure', 'agreeErasure', 'withdrawErasure']) expect(await stranger.action(`${page}?/${step}`)).toMatchObject({ type: 'failure', status: 404, data: { erasureError: 'Not found.' } });
			expect(await coachee.action(`${page}?/agreeErasure`)).toMatchObject({ status: 409, data: { erasureError: expect.stringContaining('Nobody has proposed') } });
			expect((await coachee.action(`${page}?/proposeErasure`)).type).toBe('success');
			expect(await (await coach.get(page)).text()).toContain(`Sam ${M}name proposed erasing it`);
			expect(await coachee.action(`${page}?/agreeErasure`)).toMatchObject({ status: 409, data: { erasureError: expect.stringContaining('You agreed already') } });
			expect(await (await coachee.get(page)).text()).toContain('Waiting for: Casey');
			expect((await coach.action(`${page}?/agreeErasure`)).data).toEqual({ erasureDone: 'agreeErasure' });
			expect(await coach.action(`${page}?/proposeErasure`)).toMatchObject({ status: 410, data: { erasureError: expect.stringContaining('was erased on') } });
			const after = await (await coach.get(page)).text();
			expect(after).toContain('Erased engagement');
			for (const s of ['notes', 'action', 'private', 'contract', 'title', 'goals']) expect(after.includes(`${M}${s}`), `engagement page still shows ${s}`).toBe(false);
			// Nothing of the engagement's content is left anywhere, while the accounts (and so the names) still are.
			const content = ['notes', 'action', 'private', 'contract', 'title', 'goals', 'prepare', 'prepnote', ...fromCoachOnly, ...fromBoth];
			for (const s of content) {
				expect(await columnsHolding(server, `${M}${s}`), s).toEqual([]);
				expect(filesHolding(server.dataDir, `${M}${s}`), s).toEqual([]);
			}
			expect(await columnsHolding(server, `${M}name`)).toContain('users.name');
			const summaryPage = await (await coach.get(`/sessions/${sessionId}/summary`)).text();
			for (const s of ['notes', 'action', 'private', 'prompt']) expect(summaryPage.includes(`${M}${s}`), `summary page still shows ${s}`).toBe(false);

			// Deleting an account: the password and the phrase, clear refusals otherwise.
			expect(await coach.action('/settings?/deleteAccount', { password: 'not my password', confirm: 'delete my account' })).toMatchObject({ status: 400, data: { error: { field: 'password' } } });
			expect(await coach.action('/settings?/deleteAccount', { password: PASSWORD, confirm: 'yes' })).toMatchObject({ status: 400, data: { error: { field: 'confirm' } } });
			const gone = await coach.action('/settings?/deleteAccount', { password: PASSWORD, confirm: ' Delete my account ' });
			expect(gone).toMatchObject({ type: 'redirect', location: '/signin?deleted=1' });
			expect(coach.cookie).toBe('');
			// The coachee's record keeps the coach as a label.
			expect(await (await coachee.get(page)).text()).toContain('A former participant');
			expect((await coachee.action('/settings?/deleteAccount', { password: PASSWORD, confirm: 'delete my account' })).type).toBe('redirect');

			// No byte of the marker anywhere the product keeps things.
			expect(await columnsHolding(server, M)).toEqual([]);
			expect(filesHolding(server.dataDir, M)).toEqual([]);
			if (db === 'sqlite') {
				expect(fs.existsSync(path.join(server.dataDir, 'confidante.sqlite'))).toBe(true);
				expect(fs.existsSync(path.join(server.dataDir, 'pad-journal'))).toBe(true);
			}
		});

		it('a coach who leaves: the coachee keeps the record with a label, the private notes go; a sponsor exports only approved updates', async () => {
			const M = `qz${Math.random().toString(36).slice(2, 10)}`;
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
			const { sponsor } = await joinAsSponsor(server.url, coach, engagementId);
			const summaryId = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: `Shared ${M}notes`, action: `Do ${M}action`, privateNote: `Private ${M}private` });
			// The coach's reflection on the session and supervision note are theirs alone, and go with them.
			expect((await coach.action(`/summaries/${summaryId}?/feedback`, { reflection: `Reflect ${M}private`, noteToCoachee: '' })).type).toBe('success');
			expect((await coach.action(`/practice/${engagementId}?/add`, { body: `Supervise ${M}private` })).type).toBe('success');
			// Two-factor sign-in: its key is in no export, and goes with the account.
			const { key } = await setUpTotp(coach);
			const coachZip = await unzipped(await coach.get('/settings/data.zip'));
			expect(coachZip.bytes.includes(`Supervise ${M}private`)).toBe(true);
			expect(coachZip.bytes.includes(key)).toBe(false);
			for (const text of [`Progress ${M}approved`, `Draft ${M}declined`]) expect((await coach.action(`/engagements/${engagementId}?/draftUpdate`, { text })).type).toBe('success');
			const page = await (await coachee.get(`/engagements/${engagementId}`)).text();
			const updateIds = [...page.matchAll(/name="update" value="([a-z2-7]+)"/g)].map((m) => m[1]!);
			const [declineId, approveId] = page.indexOf(`${M}declined`) < page.indexOf(`${M}approved`) ? updateIds : [updateIds[1]!, updateIds[0]!];
			expect((await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: approveId!, decision: 'approve', text: `Progress ${M}approved` })).type).toBe('success');
			expect((await coachee.action(`/engagements/${engagementId}?/decideUpdate`, { update: declineId!, decision: 'decline' })).type).toBe('success');

			// The sponsor's export: the approved update, nothing said in the sessions, no draft.
			const sponsorZip = await unzipped(await sponsor.get('/settings/data.zip'));
			expect(sponsorZip.bytes.includes(`${M}approved`)).toBe(true);
			for (const s of ['notes', 'action', 'private', 'declined']) expect(sponsorZip.bytes.includes(`${M}${s}`), `sponsor export leaks ${s}`).toBe(false);

			// Closed and evaluated: the coachee's stored copy of the report stays (with a label for the coach); the coach's, with their reflection, goes.
			await closeAndEvaluate(server, engagementId, coach, coachee, { note: 'All done.', coachComment: 'A good piece of work.', reflection: `Mine ${M}private`, coacheeComment: `Thanks ${M}kept` });
			// Before: the private notes are stored (pad, summary, rendering, mail to the coach).
			expect(await columnsHolding(server, `${M}private`)).toEqual(expect.arrayContaining(['session_feedback.reflection', 'supervision_notes.body']));
			expect(await columnsHolding(server, key)).toContain('totp_credentials.key');
			expect((await coach.action('/settings?/deleteAccount', { password: PASSWORD, confirm: 'delete my account' })).type).toBe('redirect');
			// A second attempt finds no account: signed out everywhere, sent to sign in.
			expect(await coach.action('/settings?/deleteAccount', { password: PASSWORD, confirm: 'delete my account' })).toMatchObject({ type: 'redirect', location: expect.stringMatching(/^\/signin/) });
			expect(coach.cookie).toBe('');

			// The coachee's record stays, naming a former participant.
			const summary = await (await coachee.get(`/summaries/${summaryId}`)).text();
			expect(summary).toContain(`${M}notes`);
			expect(summary).toContain('A former participant');
			expect(summary).not.toContain('Casey Coach');
			const engagement = await (await coachee.get(`/engagements/${engagementId}`)).text();
			expect(engagement).toContain('A former participant');
			expect(engagement).not.toContain('Casey Coach');
			// The coach's private notes are nowhere: no pad document, summary state, rendering or mail file.
			expect(await columnsHolding(server, `${M}private`)).toEqual([]);
			expect(filesHolding(server.dataDir, `${M}private`)).toEqual([]);
			expect(await columnsHolding(server, key)).toEqual([]);
			expect(await columnsHolding(server, `${M}kept`)).toContain('engagement_reports.content');
			// Their name is left only in mail already sent to the others (their mailbox), never in a record.
			expect((await columnsHolding(server, 'Casey Coach')).filter((c) => !c.startsWith('mail_jobs.'))).toEqual([]);
		});
	});
}
