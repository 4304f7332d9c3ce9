/**
 * Issue 17: a coach's "Correct summary" emails every member again, so it is
 * bounded (limits.summary.correctionMails: 3 per summary in 24 hours). The
 * fourth emailed correction is refused with what to do instead, the page
 * says so before, and a correction saved without emailing still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { addressedTo, outboxMails, writeAndEndSession } from '../helpers/session-content.ts';

const correction = (n: number, notify: boolean): Record<string, string> => ({
	action_id_0: '', action_text_0: `Book a 1:1 with each team member (${n})`, action_owner_0: 'Sam Coachee', action_due_0: '', action_status_0: 'open',
	learningPoints: '', notes: `Corrected notes REMAIL-${n}`, privateNotes: '', note: `correction ${n}`, ...(notify ? { notify: 'on' } : {})
});

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`re-mailing a corrected summary on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('emails at most 3 corrections a day; the fourth is refused with what to do, and saving without email still works', async () => {
			const { coach, coachee, sessionId } = await coachingPair(server.url);
			let latest = await writeAndEndSession(server.url, coach.cookie, sessionId, { note: 'n', action: 'a', privateNote: 'p' });
			expect(await (await coach.get(`/summaries/${latest}/correct`)).text()).toContain('email this summary again 3 more times today');

			for (let n = 1; n <= 3; n++) {
				const r = await coach.action(`/summaries/${latest}/correct`, correction(n, true));
				expect(r.type, JSON.stringify(r)).toBe('redirect');
				latest = r.location!.split('/').pop()!;
			}
			const page = await (await coach.get(`/summaries/${latest}/correct`)).text();
			expect(page).toContain('emailed again 3 times in the last 24 hours');
			expect(page).toMatch(/name="notify"[^>]*disabled/);

			// The fourth emailed correction is refused, says what to do, and records nothing.
			const refused = await coach.action(`/summaries/${latest}/correct`, correction(4, true));
			expect(refused).toMatchObject({ type: 'failure', status: 429, data: { error: { code: 'rate_limited', field: 'notify' } } });
			expect(refused.data.error.message).toContain('Untick "Email the corrected summary to everyone"');
			expect(refused.data.error.message).toMatch(/in about \d+ hours?/);
			expect(refused.data.values.notes).toBe('Corrected notes REMAIL-4'); // what was typed comes back
			expect(await (await coach.get(`/summaries/${latest}`)).text()).not.toContain('REMAIL-4');

			// Without emailing, the correction is saved and readable by the coachee.
			const quiet = await coach.action(`/summaries/${latest}/correct`, correction(5, false));
			expect(quiet.type, JSON.stringify(quiet)).toBe('redirect');
			const v5 = quiet.location!.split('/').pop()!;
			expect(await (await coachee.get(`/summaries/${v5}`)).text()).toContain('REMAIL-5');

			// The coachee got exactly the three emailed corrections (and the first summary).
			const corrected = async () => (await outboxMails(server)).filter((m) => addressedTo(m, coachee.email) && (m.subject ?? '').endsWith('corrected'));
			await expect.poll(async () => (await corrected()).length, { timeout: 20_000 }).toBe(3);
			const texts = (await corrected()).map((m) => m.text ?? '').join('\n');
			for (const n of [1, 2, 3]) expect(texts).toContain(`REMAIL-${n}`);
			expect(texts).not.toMatch(/REMAIL-[45]/);
		}, 120_000);
	});
}
