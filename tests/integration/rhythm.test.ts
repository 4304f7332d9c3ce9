/**
 * The rhythm on both stores, through the real server process: the series
 * from the contract (refused beyond it and in the past), reminders sent once
 * across a restart with the clock controlled and the mail server down then
 * up, preparation seen by the coach only (as the agenda), and an action
 * updated between sessions merged into the next "From last time".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { agreeContract, uniqueEmail, Visitor } from '../helpers/http.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { openStore, type Store } from '../../server/store/index.ts';
import { freshPostgresSchema } from '../helpers/server.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createScheduler } from '../../server/scheduler/index.ts';
import { createRhythm } from '../../server/rhythm/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { openActionsBefore } from '../../server/pad/carry-over.ts';
import { insertAction, newAction, padName } from '../../shared/pad/index.ts';

const HOUR = 60 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the rhythm through the server on ${db}`, () => {
		let server: TestServer;
		let smtp: TestSmtp;
		let clockFile: string;
		const setClock = (at: number) => fs.writeFileSync(clockFile, String(at));
		beforeAll(async () => {
			smtp = await startSmtp({ keep: (m) => (m.subject ?? '').startsWith('Reminder') });
			clockFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-clock-')), 'now');
			setClock(Date.now());
			server = await startServer({ db, env: { SMTP_URL: smtp.url, CONFIDANTE_CLOCK_FILE: clockFile } });
		}, 60_000);
		afterAll(async () => {
			await server?.stop();
			await server?.cleanup();
			await smtp?.close();
		});

		it('schedules the series, reminds once across a restart with mail down then up, and shows preparation to the coach only', async () => {
			const coach = new Visitor(server.url);
			await coach.signUp('Casey Coach', uniqueEmail('coach'));
			const engagementId = await coach.createEngagement({ frequency: 'weekly', plannedSessions: '3' });
			const coachee = new Visitor(server.url);
			await coachee.signUp('Sam Coachee', uniqueEmail('coachee'));
			expect((await coachee.acceptInvite(await coach.createInvite(engagementId))).type).toBe('redirect');
			const today = new Date().toISOString().slice(0, 10);
			const end = new Date(Date.now() + 365 * 24 * HOUR).toISOString().slice(0, 10);
			await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: coachee, name: 'Sam Coachee' }], engagementId, {
				sessions: 3,
				change: (b) => Object.assign(b.plan, { frequency: 'weekly', startDate: today, endDate: end, sessionMinutes: 50 })
			});

			// The coachee cannot schedule; the coach gets three weekly dates, skipping one marked unavailable.
			expect((await coachee.action(`/engagements/${engagementId}?/proposeSeries`, { time: '10:00' })).status).toBe(403);
			const tomorrow = new Date(Date.now() + 2 * 24 * HOUR).toISOString().slice(0, 10);
			const skip = new Date(Date.now() + 9 * 24 * HOUR).toISOString().slice(0, 10);
			const proposed = await coach.action(`/engagements/${engagementId}?/proposeSeries`, { time: '10:00', from: tomorrow, unavailable: skip });
			expect(proposed.type).toBe('success');
			const local: string[] = proposed.data.series.local;
			expect(local).toHaveLength(3);
			expect(proposed.data.series.skipped).toEqual([skip]);
			expect(proposed.data.series.durationMinutes).toBe(50);

			// Beyond the contract and in the past: clear refusals, nothing created.
			const tooMany = await coach.action(`/engagements/${engagementId}?/createSeries`, [...[...local, `${new Date(Date.now() + 60 * 24 * HOUR).toISOString().slice(0, 10)}T10:00`].map((a): [string, string] => ['at', a]), ['durationMinutes', '50']]);
			expect(tooMany.data?.error?.message, JSON.stringify(tooMany)).toBeDefined();
			expect(tooMany.status).toBe(409);
			expect(tooMany.data.error.message).toMatch(/has 3 sessions and 0 are scheduled or held, so at most 3 more can be scheduled; you asked for 4/);
			const past = await coach.action(`/engagements/${engagementId}?/createSeries`, [['at', '2020-01-01T10:00'], ['durationMinutes', '50']]);
			expect(past.status).toBe(400);
			expect(past.data.error.message).toMatch(/Choose a time in the future/);
			const created = await coach.action(`/engagements/${engagementId}?/createSeries`, [...local.map((a): [string, string] => ['at', a]), ['durationMinutes', '50']]);
			expect(created.data).toMatchObject({ seriesCreated: 3 });
			const again = await coach.action(`/engagements/${engagementId}?/createSeries`, [['at', local[0]!], ['durationMinutes', '50']]);
			expect(again.data.error.message).toMatch(/all of them are scheduled or held/);

			const page = await (await coach.get(`/engagements/${engagementId}/__data.json`)).text();
			expect(page).toContain('held');
			const first = proposed.data.series.sessions[0].at as number;
			const sessionIds = [...page.matchAll(/"(\w{16,})"/g)].map((m) => m[1]);
			expect(sessionIds.length).toBeGreaterThan(0);

			// The 24-hour reminders come due while the mail server is down: nothing is delivered...
			smtp.mode = 'refuse-temporarily';
			setClock(first - 24 * HOUR + 60_000);
			await sleep(4_000);
			expect(smtp.received).toHaveLength(0);
			// ...the server restarts, the mail server comes back: each person gets theirs once.
			await server.stop('SIGTERM');
			await server.restart();
			smtp.mode = 'accept';
			await smtp.waitFor(2, 30_000).catch((err: unknown) => {
				throw new Error(`${String(err)}\n${server.logs.filter((l) => /job|mail|reminder/.test(l)).slice(-20).join('\n')}`);
			});
			await sleep(4_000);
			expect(smtp.received).toHaveLength(2);
			const text = smtp.received.map((m) => m.text ?? '').join('\n---\n');
			expect(text).toMatch(/Join: .*\/sessions\//);
			expect(text).toMatch(/Prepare for it/);
			expect(smtp.received.every((m) => (m.subject ?? '').startsWith('Reminder: Session 1 of 3'))).toBe(true);
		}, 120_000);

		it('keeps preparation for the coach as the agenda, and refuses people outside the engagement', async () => {
			const coach = new Visitor(server.url);
			await coach.signUp('Casey Coach', uniqueEmail('coach'));
			const engagementId = await coach.createEngagement();
			const coachee = new Visitor(server.url);
			await coachee.signUp('Sam Coachee', uniqueEmail('coachee'));
			await coachee.acceptInvite(await coach.createInvite(engagementId));
			await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: coachee, name: 'Sam Coachee' }], engagementId);
			const sessionId = await coach.scheduleSession(engagementId, 24 * 60);
			const stranger = new Visitor(server.url);
			await stranger.signUp('Stella Stranger', uniqueEmail('stranger'));

			const refused = await stranger.action(`/sessions/${sessionId}/prepare`, { want: 'let me in' });
			expect(refused.status).toBe(404);
			expect(refused.data.error.message).toMatch(/not one of yours/);
			expect((await stranger.get(`/sessions/${sessionId}/prepare`)).status).toBe(404);

			expect((await coachee.action(`/sessions/${sessionId}/prepare`, { want: 'Plan the reorg talk', forCoach: 'Tired this week' })).data).toMatchObject({ saved: true });
			expect((await coach.action(`/sessions/${sessionId}/prepare`, { privateNote: 'Ask about energy levels' })).data).toMatchObject({ saved: true });

			const coachRoom = await (await coach.get(`/sessions/${sessionId}/__data.json`)).text();
			expect(coachRoom).toContain('Plan the reorg talk');
			expect(coachRoom).toContain('Ask about energy levels');
			const coacheeRoom = await (await coachee.get(`/sessions/${sessionId}/__data.json`)).text();
			expect(coacheeRoom).not.toContain('Plan the reorg talk');
			expect(coacheeRoom).not.toContain('Ask about energy levels');
			const coacheePrep = await (await coachee.get(`/sessions/${sessionId}/prepare/__data.json`)).text();
			expect(coacheePrep).toContain('Plan the reorg talk');
			expect(coacheePrep).not.toContain('Ask about energy levels');
		}, 60_000);
	});
}

for (const kind of ['sqlite', 'postgres'] as const) {
	describe(`actions between sessions on ${kind}`, () => {
		let store: Store;
		let dir: string;
		let cleanup = async () => {};
		beforeAll(async () => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-between-'));
			if (kind === 'sqlite') store = await openStore({ dataDir: dir });
			else {
				const s = await freshPostgresSchema();
				store = await openStore({ dataDir: dir, databaseUrl: s.url });
				cleanup = s.drop;
			}
		});
		afterAll(async () => {
			await store?.close();
			await cleanup();
			fs.rmSync(dir, { recursive: true, force: true });
		});

		it('stores the owner\'s update durably, refuses others, and merges it into the next "From last time"', async () => {
			const auth = createAuth(store.db);
			const engagements = createEngagements(store.db, auth, { contractInForce: async () => ({ version: 1, sessions: 6 }) });
			const person = async (name: string) => {
				const r = await auth.createAccount({ name, email: uniqueEmail(name.toLowerCase()), password: 'a sturdy passphrase 42' });
				if (!r.ok) throw new Error(r.error.message);
				return r.value.user.id;
			};
			const coach = await person('Casey');
			const coachee = await person('Sam');
			const e = await engagements.create(coach, { kind: 'coaching', title: 'Leading the team', goals: 'Run the meeting well', plannedSessions: 6, frequency: 'weekly' });
			if (!e.ok) throw new Error(e.error.message);
			const inv = await engagements.createInvite(e.value.id, coach);
			if (!inv.ok) throw new Error(inv.error.message);
			await engagements.acceptInvite(inv.value.token, coachee);
			const s1 = await engagements.scheduleSession(e.value.id, coach, { scheduledAt: new Date(Date.now() + HOUR).toISOString(), durationMinutes: 60 });
			const s2 = await engagements.scheduleSession(e.value.id, coach, { scheduledAt: new Date(Date.now() + 8 * 24 * HOUR).toISOString(), durationMinutes: 60 });
			if (!s1.ok || !s2.ok) throw new Error('scheduling failed');
			await engagements.setSessionStatus(s1.value.id, 'live');
			await engagements.setSessionStatus(s1.value.id, 'ended');

			// Session 1's pad agreed one action for the coachee (held in memory here, as the pad's registry would).
			const doc = new Y.Doc();
			const action = { ...newAction(coachee, { text: 'Draft the reorg memo', owner: 'coachee', ownerUserId: coachee, due: '2020-01-01' }) };
			insertAction(doc, action);
			const padDeps = (rhythm: { betweenUpdates: (id: string) => Promise<never[] | unknown[]> }) => ({
				sessions: engagements,
				store: { exists: async () => false, load: async () => ({ snapshot: null, updates: [] }) } as never,
				loaded: (name: string) => (name === padName(s1.value.id, 'shared') ? doc : undefined),
				betweenUpdates: rhythm.betweenUpdates as never
			});
			const scheduler = createScheduler({ db: store.db, dialect: store.dialect, log: createLogger('silent') });
			const rhythm = createRhythm({
				db: store.db,
				log: createLogger('silent'),
				mail: { enqueue: async () => {}, kick: () => {}, register: () => {} },
				scheduler,
				origin: undefined,
				engagements,
				contractPlan: async () => null,
				openActions: (id) => openActionsBefore(id, Infinity, padDeps(rhythm), true),
				timeZones: (ids) => auth.timeZonesOf(ids)
			});

			const view = await rhythm.overview(e.value.id, coachee);
			expect(view?.actions.map((a) => [a.text, a.overdue, a.mine])).toEqual([['Draft the reorg memo', true, true]]);
			expect((await rhythm.overview(e.value.id, coach))?.actions[0]?.mine).toBe(false);
			const byCoach = await rhythm.updateAction(e.value.id, coach, { actionId: action.id, status: 'done', comment: 'x' });
			expect(!byCoach.ok && byCoach.error.message).toMatch(/Only the person who owns this action/);
			const updated = await rhythm.updateAction(e.value.id, coachee, { actionId: action.id, status: 'done', comment: 'Sent to HR on Monday' });
			expect(updated.ok).toBe(true);

			// Session 2's "From last time" gets the action with the update.
			const carried = await openActionsBefore(e.value.id, s2.value.number, padDeps(rhythm));
			expect(carried).toHaveLength(1);
			expect(carried[0]).toMatchObject({ text: 'Draft the reorg memo', status: 'done', betweenComment: 'Sent to HR on Monday', betweenBy: coachee });
			expect((await rhythm.overview(e.value.id, coach))?.actions[0]).toMatchObject({ status: 'done', betweenComment: 'Sent to HR on Monday', overdue: false });
			await scheduler.close();
		});
	});
}
