/**
 * Issue 12, referral only with the coachee's documented approval: the coach
 * proposes (with the date it was discussed), the coachee approves or
 * declines, and only an approved referral can be marked referred. The coach's
 * wording of the issue never reaches the coachee's page, and nothing about a
 * referral is emailed to anyone. On SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { Visitor, coachingPair, uniqueEmail } from '../helpers/http.ts';

const ISSUE = 'ISSUE-4e1a-coach-only-wording';
const today = () => new Date().toISOString().slice(0, 10);

async function coacheeId(coach: Visitor, engagementId: string): Promise<string> {
	const html = await (await coach.get(`/engagements/${engagementId}`)).text();
	return /<option value="([a-z2-7]+)">Sam Coachee<\/option>/.exec(html)?.[1] ?? '';
}

const referralIds = async (v: Visitor, engagementId: string) => [...(await (await v.get(`/engagements/${engagementId}`)).text()).matchAll(/name="referral" value="([a-z2-7]+)"/g)].map((m) => m[1]!);

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`referrals on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('needs the coachee’s approval before a referral can be marked referred, and keeps the issue’s wording with the coach', async () => {
			const { coach, coachee, engagementId } = await coachingPair(server.url);
			const sam = await coacheeId(coach, engagementId);
			expect(sam).not.toBe('');
			const propose = (who: Visitor, fields: Record<string, string>) =>
				who.action(`/engagements/${engagementId}?/proposeReferral`, { coacheeId: sam, issue: ISSUE, referTo: 'A counsellor through the employee assistance programme', reason: 'Support with sleep and worry, which coaching cannot give.', discussedOn: today(), ...fields });
			const step = (who: Visitor, referral: string, s: string) => who.action(`/engagements/${engagementId}?/referral`, { referral, step: s });

			// Bad input and the wrong people.
			const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
			expect(await propose(coach, { discussedOn: future })).toMatchObject({ status: 400, data: { error: { field: 'discussedOn' } } });
			expect(await propose(coach, { reason: ' ' })).toMatchObject({ status: 400, data: { error: { field: 'reason' } } });
			expect(await propose(coachee, {})).toMatchObject({ status: 403 });
			const stranger = new Visitor(server.url);
			await stranger.signUp('Stella Stranger', uniqueEmail('stella'));
			expect(await propose(stranger, {})).toMatchObject({ status: 404 });

			// Declined: final, and never referred.
			expect(await propose(coach, {})).toMatchObject({ type: 'success' });
			const [first] = await referralIds(coachee, engagementId);
			expect(await step(coach, first!, 'referred')).toMatchObject({ status: 409, data: { error: { message: expect.stringContaining('has not approved') } } });
			expect(await step(coach, first!, 'approve')).toMatchObject({ status: 403 });
			expect(await step(stranger, first!, 'approve')).toMatchObject({ status: 404 });
			const coacheePage = await (await coachee.get(`/engagements/${engagementId}`)).text();
			expect(coacheePage).toContain('A counsellor through the employee assistance programme');
			expect(coacheePage).not.toContain(ISSUE);
			expect(await (await coach.get(`/engagements/${engagementId}`)).text()).toContain(ISSUE);
			expect(await step(coachee, first!, 'decline')).toMatchObject({ type: 'success', data: { referral: { status: 'declined' } } });
			expect(await step(coachee, first!, 'approve')).toMatchObject({ status: 409 });
			expect(await step(coach, first!, 'referred')).toMatchObject({ status: 409 });

			// Approved, then referred.
			expect(await propose(coach, { referTo: 'Dr Lee, sleep clinic' })).toMatchObject({ type: 'success' });
			const pending = await referralIds(coachee, engagementId);
			expect(pending).toHaveLength(1);
			expect(await step(coachee, pending[0]!, 'approve')).toMatchObject({ data: { referral: { status: 'approved' } } });
			expect(await step(coach, pending[0]!, 'referred')).toMatchObject({ data: { referral: { status: 'referred' } } });
			const log = await (await coachee.get(`/engagements/${engagementId}`)).text();
			expect(log).toMatch(/Dr Lee, sleep clinic[\s\S]*referred/);
			expect(log).not.toContain(ISSUE);

			// Nothing about a referral is mailed to anyone.
			const outbox = path.join(server.dataDir, 'outbox');
			const mails = fs.existsSync(outbox) ? fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), 'latin1')).join('\n') : '';
			for (const text of [ISSUE, 'Dr Lee', 'employee assistance']) expect(mails).not.toContain(text);
		});
	});
}
