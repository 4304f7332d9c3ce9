/**
 * Issue 12, the contract in the record: a summary names the contract version
 * in force when the session was held (and links to it); an action tied to a
 * contract goal shows it in the summary and on the engagement page, grouped
 * by goal (a goal id the contract does not have is dropped). In a group
 * engagement, the contract's "what the group shares" is honoured wherever
 * coachees see each other's content after a session: their summary copies
 * (page, Markdown, email), "From last time" and the engagement page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { agreeContract, coachingPair, userIdOn, type Visitor } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { insertAction, insertLearning, newAction, readCarriedActions, type Action } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';

/** Writes actions (and learning points, each by its author) into a session's pad, ends it, and returns the summary id. */
async function holdSession(server: TestServer, coach: Visitor, sessionId: string, actions: Action[], learning: { by: Visitor; byId: string; text: string }[] = []): Promise<string> {
	const pad = padClient(server.url, coach.cookie, sessionId, 'shared');
	await pad.synced();
	for (const a of actions) insertAction(pad.doc, a);
	for (const l of learning) {
		const theirs = padClient(server.url, l.by.cookie, sessionId, 'shared');
		await theirs.synced();
		insertLearning(theirs.doc, l.byId, l.text);
		await new Promise((r) => setTimeout(r, 150));
		theirs.destroy();
	}
	const socket = connect(server.url, coach.cookie);
	await connected(socket);
	expect((await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION })).ok).toBe(true);
	await new Promise((r) => setTimeout(r, 400));
	const ended = await request<{ summaryId: string }>(socket, 'session:end', { sessionId });
	pad.destroy();
	socket.close();
	if (!ended.ok) throw new Error(`ending failed: ${JSON.stringify(ended)}`);
	return ended.value.summaryId;
}

async function mailsTo(server: TestServer, minimum: number): Promise<ParsedMail[]> {
	const dir = path.join(server.dataDir, 'outbox');
	await until(() => fs.existsSync(dir) && fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).length >= minimum, 15_000, 'emails written');
	return Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
}

const text = async (visitor: Visitor, url: string) => (await visitor.get(url)).text();

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
	describe(`the contract in summaries on ${db}`, () => {
		let server: TestServer;
		beforeAll(async () => {
			server = await startServer({ db });
		});
		afterAll(async () => {
			await server?.cleanup();
		});

		it('names the version in force and ties actions to its goals; a later session names the amended version', async () => {
			const { coach, coachee, engagementId, sessionId } = await coachingPair(server.url);
			const summaryId = await holdSession(server, coach, sessionId, [
				{ ...newAction('coach', { text: 'Draft the team charter', owner: 'coachee' }), goalId: 'goal-1' },
				{ ...newAction('coach', { text: 'Ask for feedback', owner: 'coachee' }), goalId: 'goal-that-never-was' },
				{ ...newAction('coach', { text: 'Read the book' }), goalId: '<b>not an id</b>' }
			]);

			for (const who of [coach, coachee]) {
				const page = await text(who, `/summaries/${summaryId}`);
				expect(page).toContain(`href="/engagements/${engagementId}/contract/v/1"`);
				expect(page).toMatch(/Version 1/);
				expect(page.match(/Goal: Confident first 90 days/g)).toHaveLength(1);
			}
			const md = await text(coachee, `/summaries/${summaryId}.md`);
			expect(md).toContain('**Contract:** version 1');
			expect(md).toContain('Draft the team charter — Sam Coachee · goal: Confident first 90 days · open');
			expect(md).not.toContain('goal-that-never-was');

			const engagement = await text(coachee, `/engagements/${engagementId}`);
			// Only the card: other cards on the page (the open actions between sessions) list every action.
			const from = engagement.indexOf('data-testid="actions-by-goal"');
			const byGoal = engagement.slice(from, engagement.indexOf('</section>', from));
			expect(byGoal).toContain('Confident first 90 days');
			expect(byGoal).toContain('Draft the team charter');
			expect(byGoal).not.toContain('Ask for feedback');

			// An amendment comes into force; the next session is held under it, the first one's record is unchanged.
			const v2 = await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: coachee, name: 'Sam Coachee' }], engagementId, {
				change: (b) => {
					b.goals[0] = { ...b.goals[0]!, statement: 'Confident first 120 days' };
				}
			});
			expect(v2).toBe(2);
			const second = await coach.scheduleSession(engagementId);
			const secondSummary = await holdSession(server, coach, second, [{ ...newAction('coach', { text: 'Run the retro', owner: 'both' }), goalId: 'goal-1' }]);
			const page2 = await text(coachee, `/summaries/${secondSummary}`);
			expect(page2).toContain(`href="/engagements/${engagementId}/contract/v/2"`);
			expect(page2).toContain('Goal: Confident first 120 days');
			expect(await text(coachee, `/summaries/${summaryId}`)).toContain(`/contract/v/1"`);
			const later = await text(coach, `/engagements/${engagementId}`);
			const grouped = later.slice(later.indexOf('data-testid="actions-by-goal"'));
			expect(grouped).toContain('Confident first 120 days');
			expect(grouped.indexOf('Draft the team charter')).toBeLessThan(grouped.indexOf('Run the retro'));
		});

		it('in a group, each coachee sees only what the contract lets the group share', async () => {
			const { coach, coachees, engagementId, sessionId } = await coachingPair(server.url, { coachees: 2 });
			const [sam, alex] = coachees as [Visitor, Visitor];
			// coachingPair agreed the template (names only); the group then agrees to keep names to the sessions too.
			await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: sam, name: 'Sam Coachee' }, { visitor: alex, name: 'Alex Coachee' }], engagementId, {
				change: (b) => {
					b.sharing = { names: false, actions: false, learningPoints: false };
				}
			});
			const [samId, alexId] = [await userIdOn(sam, sessionId), await userIdOn(alex, sessionId)];
			const summaryId = await holdSession(
				server,
				coach,
				sessionId,
				[
					newAction('coach', { text: 'SAM-ACTION call the mentor', owner: 'coachee', ownerUserId: samId }),
					newAction('coach', { text: 'ALEX-ACTION rewrite the plan', owner: 'coachee', ownerUserId: alexId }),
					newAction('coach', { text: 'GROUP-ACTION share the reading list', owner: 'both' })
				],
				[
					{ by: sam, byId: samId, text: 'SAM-LEARNING pause before answering' },
					{ by: alex, byId: alexId, text: 'ALEX-LEARNING ask for help sooner' }
				]
			);

			const coachCopy = await text(coach, `/summaries/${summaryId}`);
			for (const s of ['SAM-ACTION', 'ALEX-ACTION', 'GROUP-ACTION', 'SAM-LEARNING', 'ALEX-LEARNING', 'Alex Coachee', 'Sam Coachee']) expect(coachCopy).toContain(s);
			const samCopy = (await text(sam, `/summaries/${summaryId}`)) + (await text(sam, `/summaries/${summaryId}.md`));
			expect(samCopy).toContain('SAM-ACTION');
			expect(samCopy).toContain('GROUP-ACTION');
			expect(samCopy).toContain('SAM-LEARNING');
			for (const s of ['ALEX-ACTION', 'ALEX-LEARNING', 'Alex Coachee']) expect(samCopy).not.toContain(s);
			const alexCopy = await text(alex, `/summaries/${summaryId}`);
			expect(alexCopy).toContain('ALEX-ACTION');
			for (const s of ['SAM-ACTION', 'SAM-LEARNING', 'Sam Coachee']) expect(alexCopy).not.toContain(s);

			// Each coachee's email is their own copy (this session's: the one with the group's action).
			const body = (m: ParsedMail) => `${m.text}\n${m.html || ''}\n${m.attachments.map((a) => a.content.toString('utf8')).join('\n')}`;
			const toName = (m: ParsedMail, name: string) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((x) => x.name === name));
			let samMail = '';
			for (let i = 0; i < 75 && !samMail; i++) {
				samMail = (await mailsTo(server, 1)).filter((m) => toName(m, 'Sam Coachee') && body(m).includes('GROUP-ACTION')).map(body).join('\n');
				if (!samMail) await new Promise((r) => setTimeout(r, 200));
			}
			expect(samMail).toContain('SAM-ACTION');
			expect(samMail).not.toContain('ALEX-ACTION');
			expect(samMail).not.toContain('Alex Coachee');

			// The engagement page keeps the group's names to the sessions, and "From last time" carries only the group's actions.
			const samPage = await text(sam, `/engagements/${engagementId}`);
			expect(samPage).not.toContain('Alex Coachee');
			expect(samPage).toContain('data-testid="hidden-members"');
			expect(await text(coach, `/engagements/${engagementId}`)).toContain('Alex Coachee');
			const next = await coach.scheduleSession(engagementId);
			const pad = padClient(server.url, sam.cookie, next, 'shared');
			await pad.synced();
			await until(() => readCarriedActions(pad.doc).length > 0, 5000, 'actions carried over');
			expect(readCarriedActions(pad.doc).map((a) => a.text)).toEqual(['GROUP-ACTION share the reading list']);
			pad.destroy();
		});
	});
}
