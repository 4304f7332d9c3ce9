/**
 * The pad in two real browsers: coach (desktop) and coachee (phone) edit
 * the same action list at the same time and see each other's edits; an
 * action left open in session 1 comes back in session 2 under "From last
 * time", and marking it done there is recorded in session 2's pad. A
 * dropped pad connection comes back by itself; a 44xx close stays closed.
 */
import { expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { serverAndBrowser, newPerson, screenshot } from '../helpers/browser.ts';
import { coachingPair, type Visitor } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { readActions, readCarriedActions } from '../../shared/pad/index.ts';

const app = serverAndBrowser();

async function signedIn(visitor: Visitor, viewport?: { width: number; height: number }): Promise<Page> {
	const person = await newPerson(app.browser, app.server.url, viewport);
	const [name, value] = visitor.cookie.split('=') as [string, string];
	await person.context.addCookies([{ name, value, url: app.server.url }]);
	return person.page;
}

async function addAction(page: Page, text: string) {
	await page.getByLabel('New action').fill(text);
	await page.getByRole('button', { name: 'Add action' }).click();
}

const actionTexts = (page: Page) => page.getByTestId('shared-pad').locator('[data-action-id] input.text').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

it('coach and coachee edit the same action list at once; open actions come back next session and their review is recorded there', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await signedIn(pair.coach);
	const coachee = await signedIn(pair.coachee, { width: 390, height: 844 });
	await Promise.all([coach.goto(`/sessions/${pair.sessionId}`), coachee.goto(`/sessions/${pair.sessionId}`)]);
	for (const page of [coach, coachee]) {
		await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 10_000 }).catch(async (err) => {
			await screenshot(page, 'pad-failed-to-connect');
			throw err;
		});
	}

	// Both add at the same moment.
	await Promise.all([addAction(coach, 'Draft the team charter'), addAction(coachee, 'Ask two peers for feedback')]);
	await Promise.all([addAction(coach, 'Book the offsite room'), addAction(coachee, 'Try the pause before answering')]);
	const all = ['Draft the team charter', 'Ask two peers for feedback', 'Book the offsite room', 'Try the pause before answering'];
	for (const page of [coach, coachee]) await expect.poll(async () => (await actionTexts(page)).sort(), { timeout: 10_000 }).toEqual([...all].sort());
	expect(await actionTexts(coach)).toEqual(await actionTexts(coachee));

	// The coachee edits the coach's action; the coach gives the coachee's action to the coachee and marks one done.
	const order = await actionTexts(coach);
	const charter = order.indexOf('Draft the team charter') + 1;
	await coachee.getByLabel(`Action ${charter}`, { exact: true }).fill('Draft the team charter with Priya');
	const room = order.indexOf('Book the offsite room') + 1;
	await coach.getByLabel(`Status of action ${room}`).selectOption('done');
	await coach.getByLabel(`Owner of action ${order.indexOf('Ask two peers for feedback') + 1}`).selectOption({ label: 'Sam Coachee' });
	await expect.poll(() => actionTexts(coach), { timeout: 10_000 }).toContain('Draft the team charter with Priya');
	await expect.poll(() => coachee.getByLabel(`Status of action ${room}`).inputValue(), { timeout: 10_000 }).toBe('done');

	// Keyboard reordering and delete with undo.
	await coach.getByRole('button', { name: 'Move action 2 up' }).click();
	await expect.poll(() => actionTexts(coachee), { timeout: 10_000 }).toEqual(await actionTexts(coach));
	const before = await actionTexts(coach);
	await coach.getByRole('button', { name: 'Delete action 1' }).click();
	await expect.poll(() => actionTexts(coachee), { timeout: 10_000 }).toEqual(before.slice(1));
	await coach.getByRole('status').getByRole('button', { name: 'Undo' }).click();
	await expect.poll(() => actionTexts(coachee), { timeout: 10_000 }).toEqual(before);

	// Notes and learning points, and the coach's private notes.
	await coachee.getByRole('textbox', { name: 'Shared notes' }).click();
	await coachee.keyboard.type('Feels more confident about the team meeting.');
	await coach.getByLabel('New learning point').fill('Preparing one question helps me speak up');
	await coach.getByRole('button', { name: 'Add point' }).click();
	await coach.getByText('Feels more confident about the team meeting.').waitFor();
	await coachee.getByLabel('Learning point 1', { exact: true }).waitFor();
	await coach.getByRole('tab', { name: 'Private notes' }).click();
	await coach.getByRole('textbox', { name: 'Private notes' }).click();
	await coach.keyboard.type('Check in about workload next time.');
	await coach.getByTestId('private-notes').getByTestId('pad-status').getByText('Saved').waitFor();
	expect(await coachee.getByRole('tab', { name: 'Private notes' }).count()).toBe(0);
	await screenshot(coach, 'pad-coach-private-notes');
	await coach.getByRole('tab', { name: 'Actions & notes' }).click();
	await coach.getByTestId('shared-pad').getByTestId('pad-status').getByText('Saved').waitFor();
	await screenshot(coach, 'pad-coach-session1');
	await screenshot(coachee, 'pad-coachee-session1-phone');

	// Session 2: what was left open comes back for review.
	const session2 = await pair.coach.scheduleSession(pair.engagementId, 24 * 60);
	await Promise.all([coach.goto(`/sessions/${session2}`), coachee.goto(`/sessions/${session2}`)]);
	const review = coachee.getByRole('region', { name: 'From last time' });
	const reviewed = () => review.locator('p.text').allTextContents();
	await expect.poll(async () => (await reviewed()).sort(), { timeout: 10_000 }).toEqual(['Ask two peers for feedback', 'Draft the team charter with Priya', 'Try the pause before answering']);
	await coachee.getByLabel(/Status of “Ask two peers for feedback”/).selectOption('done');
	await expect.poll(() => coach.getByLabel(/Status of “Ask two peers for feedback”/).inputValue(), { timeout: 10_000 }).toBe('done');
	await screenshot(coach, 'pad-coach-session2-from-last-time');
	await screenshot(coachee, 'pad-coachee-session2-phone');

	// Recorded in session 2's pad, by the coachee; session 1 still says what it said.
	const s2 = padClient(app.server.url, pair.coach.cookie, session2);
	const s1 = padClient(app.server.url, pair.coach.cookie, pair.sessionId);
	try {
		await Promise.all([s2.synced(), s1.synced()]);
		await until(() => readCarriedActions(s2.doc).length === 3, 5000, 'carried actions');
		const done = readCarriedActions(s2.doc).find((a) => a.text === 'Ask two peers for feedback');
		expect(done).toMatchObject({ status: 'done', fromSessionId: pair.sessionId, fromSessionNumber: 1 });
		expect(done?.statusChangedBy).not.toBeNull();
		expect(readActions(s1.doc).find((a) => a.text === 'Ask two peers for feedback')?.status).toBe('open');
	} finally {
		s1.destroy();
		s2.destroy();
	}
});

it('a dropped pad connection comes back by itself on growing delays and syncs what was typed; a 44xx close is final', async () => {
	const pair = await coachingPair(app.server.url);
	const coach = await signedIn(pair.coach);
	const coachee = await signedIn(pair.coachee);
	// The coachee's pad traffic passes, is cut (every try closes at once), or is refused with 4404.
	let mode: 'pass' | 'drop' | 'refuse' = 'pass';
	let live: { close(o?: { code?: number; reason?: string }): Promise<void> } | null = null;
	const tries: number[] = [];
	await coachee.routeWebSocket(/\/pad\//, (ws) => {
		tries.push(Date.now());
		if (mode === 'drop') return void ws.close();
		if (mode === 'refuse') return void ws.close({ code: 4404, reason: 'This pad could not be found.' });
		live = ws;
		ws.connectToServer();
	});
	await Promise.all([coach.goto(`/sessions/${pair.sessionId}`), coachee.goto(`/sessions/${pair.sessionId}`)]);
	for (const page of [coach, coachee]) await page.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 10_000 });

	mode = 'drop';
	const cutAt = Date.now();
	await live!.close();
	await addAction(coachee, 'Written in the tunnel');
	await coachee.waitForTimeout(7000);
	const during = tries.filter((t) => t >= cutAt);
	// Retried, neither hammering nor stalling: several tries, none more than the 4 s cap apart (+ slack for a loaded machine).
	expect(during.length).toBeGreaterThanOrEqual(3);
	expect(during.length).toBeLessThan(20);
	const gaps = during.slice(1).map((t, i) => t - during[i]!);
	console.log(`pad retried ${during.length} times in 7 s, gaps ${gaps.join(', ')} ms`);
	expect(Math.max(...gaps)).toBeLessThan(4000 + 1500);

	mode = 'pass';
	await coachee.getByTestId('pad-status').getByText('Saved').waitFor({ timeout: 10_000 });
	await expect.poll(() => actionTexts(coach), { timeout: 10_000 }).toContain('Written in the tunnel');

	mode = 'refuse';
	await live!.close();
	await coachee.getByTestId('pad-status').getByText('This pad could not be found.').waitFor({ timeout: 10_000 });
	const refusedTries = tries.length;
	await coachee.waitForTimeout(5000);
	expect(tries.length).toBe(refusedTries);
	await coach.context().close();
	await coachee.context().close();
});
