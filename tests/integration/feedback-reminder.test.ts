/**
 * The one feedback reminder, through the real server on SQLite and
 * PostgreSQL with the scheduler's clock moved: a group session ends; one
 * coachee answers, the other chooses "Not this time", the coach gives
 * nothing. A day later only the coach is reminded, once; after a restart and
 * days more, still once. In the group, a coachee never reads the other's
 * answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { outboxMails, writeAndEndSession } from '../helpers/session-content.ts';
import { until } from '../helpers/pad.ts';

const HOUR = 60 * 60_000;
const ANSWER = 'ANSWER-0b7c-alex-only-and-the-coach';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the feedback reminder on ${db}`, () => {
		let server: TestServer;
		let clockFile: string;
		const setClock = (at: number) => fs.writeFileSync(clockFile, String(at));
		beforeAll(async () => {
			clockFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-clock-')), 'now');
			setClock(Date.now());
			server = await startServer({ db, env: { CONFIDANTE_CLOCK_FILE: clockFile } });
		}, 60_000);
		afterAll(async () => {
			await server?.cleanup();
			fs.rmSync(path.dirname(clockFile), { recursive: true, force: true });
		});

		it('reminds only the person who neither answered nor declined, once, across a restart', async () => {
			const { coach, coachees, sessionId } = await coachingPair(server.url, { coachees: 2 });
			const [sam, alex] = coachees as [typeof coach, typeof coach];
			const summaryId = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: 'Group note', action: 'Group action', privateNote: 'Private' });
			const summary = `/summaries/${summaryId}`;
			expect((await alex.action(`${summary}?/feedback`, { usefulness: '3', helped: ANSWER })).type).toBe('success');
			expect((await sam.action(`${summary}?/notThisTime`)).type).toBe('success');
			const samPage = await (await sam.get(summary)).text();
			expect(samPage).toContain('You chose “Not this time”');
			expect(samPage).not.toContain(ANSWER);
			expect(await (await coach.get(summary)).text()).toContain(ANSWER);

			const reminders = async () => (await outboxMails(server)).filter((m) => /^(Add your reflection|Tell your coach how it went):/.test(m.subject ?? ''));
			// Before a day has passed: nothing.
			setClock(Date.now() + 23 * HOUR);
			await sleep(2500);
			expect(await reminders()).toEqual([]);

			// A day after the session: the coach alone, once.
			setClock(Date.now() + 25 * HOUR);
			await until(() => fs.existsSync(path.join(server.dataDir, 'outbox')), 15_000, 'outbox');
			let sent = await reminders();
			for (let i = 0; i < 75 && sent.length === 0; i++) {
				await sleep(200);
				sent = await reminders();
			}
			expect(sent.map((m) => [[m.to].flat()[0]?.value[0]?.name, m.subject])).toEqual([['Casey Coach', 'Add your reflection: Session 1 of 6, Leading the new team']]);
			expect(sent[0]!.text).toContain(`/sessions/${sessionId}/summary#feedback`);
			expect(sent[0]!.text).toContain('this is the only reminder');

			// A restart and three more days: still that one email.
			await server.stop();
			setClock(Date.now() + 4 * 24 * HOUR);
			await server.restart();
			await sleep(3000);
			expect((await reminders()).length).toBe(1);
		});
	});
}
