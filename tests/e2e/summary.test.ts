/**
 * The end of a session in two browsers: the coach ends it through the
 * confirm dialog and both pages move to their own copy of the summary (the
 * coachee's without the coach-only part); the coach sees the emails in the
 * local mailbox, as a server without SMTP keeps them.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { serverAndBrowser, newPerson, screenshot } from '../helpers/browser.ts';
import { coachingPair } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { connect, connected, request } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { insertAction, insertLearning, newAction, notesOf, readActions } from '../../shared/pad/index.ts';

const app = serverAndBrowser();

/** The coach at a laptop and the coachee on a phone, each signed in in their own browser context. */
async function coachAndCoachee(pair: { coach: { cookie: string }; coachee: { cookie: string } }) {
	const coach = await newPerson(app.browser, app.server.url);
	const coachee = await newPerson(app.browser, app.server.url, { width: 390, height: 844 });
	const cookie = (visitor: { cookie: string }) => [{ name: 'confidante_session', value: visitor.cookie.split('=')[1]!, url: app.server.url }];
	await coach.context.addCookies(cookie(pair.coach));
	await coachee.context.addCookies(cookie(pair.coachee));
	return { c: coach.page, p: coachee.page };
}

function paragraph(text: string) {
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [new Y.XmlText(text)]);
	return p;
}

it('coach ends the session; both pages move to the summary, each with its own copy', async () => {
	const pair = await coachingPair(app.server.url);
	const nextId = await pair.coach.scheduleSession(pair.engagementId, 14 * 24 * 60);
	expect(nextId).toBeTruthy();
	const { c, p } = await coachAndCoachee(pair);
	await c.goto(`/sessions/${pair.sessionId}`);
	await p.goto(`/sessions/${pair.sessionId}`);
	await c.getByTestId('presence').getByText('Sam Coachee').waitFor({ timeout: 20_000 });
	await expect.poll(() => c.getByRole('button', { name: 'End session' }).isEnabled(), { timeout: 20_000 }).toBe(true);

	// What was agreed, written into the pad as the session went.
	const shared = padClient(app.server.url, pair.coach.cookie, pair.sessionId, 'shared');
	const priv = padClient(app.server.url, pair.coach.cookie, pair.sessionId, 'private');
	const echo = padClient(app.server.url, pair.coachee.cookie, pair.sessionId, 'shared');
	await Promise.all([shared.synced(), priv.synced(), echo.synced()]);
	insertAction(shared.doc, newAction('coach', { text: 'Draft the 90-day plan and share it with the director', owner: 'coachee', due: '2026-12-15' }));
	insertAction(shared.doc, newAction('coach', { text: 'Send two articles on delegation', owner: 'coach' }));
	insertLearning(shared.doc, 'coach', 'Asking before advising keeps the team talking');
	notesOf(shared.doc).push([paragraph('Sam wants the first team meeting to be about listening, not a plan.')]);
	notesOf(priv.doc).push([paragraph('Coach only: Sam sounded tired; ask about workload next time.')]);
	await until(() => readActions(echo.doc).length === 2, 10_000, 'pad stored');
	// A prompt the coach marked asked (the panel does this over the same socket events).
	const socket = connect(app.server.url, pair.coach.cookie);
	await connected(socket);
	expect(await request(socket, 'session:join', { sessionId: pair.sessionId, protocolVersion: PROTOCOL_VERSION })).toMatchObject({ ok: true });
	expect(await request(socket, 'prompts:ask', { sessionId: pair.sessionId, id: 'scoping-happening-now' })).toMatchObject({ ok: true });
	await new Promise((r) => setTimeout(r, 300));

	// The coachee has no End button; the coach's asks first.
	expect(await p.getByRole('button', { name: 'End session' }).count()).toBe(0);
	await c.getByRole('button', { name: 'End session' }).click();
	const dialog = c.getByRole('dialog', { name: 'End the session for everyone?' });
	await dialog.waitFor();
	await screenshot(c, 'summary-end-dialog');
	await dialog.getByRole('button', { name: /^End (session|anyway)$/ }).click();

	await Promise.all([c.waitForURL(/\/summaries\/[a-z2-7]+$/, { timeout: 15_000 }), p.waitForURL(/\/summaries\/[a-z2-7]+$/, { timeout: 15_000 })]);
	expect(new URL(c.url()).pathname).toBe(new URL(p.url()).pathname);
	for (const page of [c, p]) {
		const doc = page.getByTestId('summary');
		await doc.getByText('Draft the 90-day plan and share it with the director').waitFor();
		expect(await doc.textContent()).toContain('Asking before advising keeps the team talking');
		expect(await doc.textContent()).toContain('Sam wants the first team meeting to be about listening');
	}
	await c.getByTestId('coach-only').getByText('Sam sounded tired').waitFor();
	await c.getByTestId('coach-only').getByText('What is happening right now?').waitFor();
	expect(await p.content()).not.toContain('What is happening right now?');
	expect(await p.getByTestId('coach-only').count()).toBe(0);
	expect(await p.content()).not.toContain('Sam sounded tired');
	// Without SMTP the emails go to the local outbox; the coach watches them arrive.
	await expect.poll(() => c.getByTestId('deliveries').locator('[data-status="sent"]').count(), { timeout: 15_000 }).toBe(2);
	await screenshot(c, 'summary-coach-copy');
	await screenshot(p, 'summary-coachee-copy');
	// On paper: the document only, no buttons, navigation or delivery status.
	await c.emulateMedia({ media: 'print' });
	expect(await c.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
	expect(await c.getByTestId('deliveries').isVisible()).toBe(false);
	expect(await c.getByTestId('summary').isVisible()).toBe(true);
	await screenshot(c, 'summary-coach-print');
	await c.emulateMedia({ media: 'screen' });

	// A correction is a new version; the first stays as it was.
	const firstVersion = new URL(c.url()).pathname;
	await c.getByRole('link', { name: 'Correct summary' }).click();
	await c.getByLabel('Due').first().fill('2026-12-20');
	await c.getByLabel('What did you correct?').fill('moved the plan to the 20th');
	await screenshot(c, 'summary-correct');
	await c.getByRole('button', { name: 'Save version 2' }).click();
	await c.getByTestId('correction').getByText('moved the plan to the 20th').waitFor();
	expect(await c.getByTestId('summary').textContent()).toContain('due 2026-12-20');
	expect(new URL(c.url()).pathname).not.toBe(firstVersion);
	await p.goto(firstVersion);
	await p.getByText('See the latest version (2)').click();
	await p.getByTestId('summary').getByText('due 2026-12-20').waitFor();
	await p.goto(`/engagements/${pair.engagementId}/summaries`);
	await p.getByTestId('summaries').getByText('corrected · version 2').waitFor();
	await screenshot(p, 'summary-list-coachee');

	await c.goto('/outbox');
	const list = c.getByTestId('outbox');
	// The Mailbox lists every email; four are the summaries (two versions, two people), one the contract in force.
	const summaries = (l: typeof list) => l.locator('li', { has: l.page().locator('strong', { hasText: /^Session summary/ }) });
	await expect.poll(() => summaries(list).count()).toBe(4);
	await expect.poll(() => list.locator('li', { has: c.locator('strong', { hasText: /^In force:/ }) }).count()).toBe(1);
	await summaries(list).locator('summary').first().click();
	await screenshot(c, 'summary-outbox');
	await p.goto('/outbox');
	await expect.poll(() => summaries(p.getByTestId('outbox')).count()).toBe(2);
	await expect.poll(() => p.getByTestId('outbox').locator('li', { has: p.locator('strong', { hasText: /^Please review and accept/ }) }).count()).toBe(1);
	expect(await p.getByTestId('outbox').textContent()).toContain('Sam Coachee');
	// In the next session, last time's summary is one click away.
	await c.goto(`/sessions/${nextId}`);
	expect(await c.getByTestId('previous-summary').textContent()).toBe('Last time: session 1');
	await screenshot(c, 'summary-next-session-link');
	for (const client of [shared, priv, echo]) client.destroy();
	socket.close();
});

it('warns the coach when a page still holds pad edits the server has not confirmed', async () => {
	const pair = await coachingPair(app.server.url);
	const { c, p } = await coachAndCoachee(pair);
	// The coachee's pad connection goes nowhere, like a link that drops the pad's traffic.
	await p.routeWebSocket(/\/pad\//, () => undefined);
	await c.goto(`/sessions/${pair.sessionId}`);
	await p.goto(`/sessions/${pair.sessionId}`);
	await c.getByTestId('presence').getByText('Sam Coachee').waitFor({ timeout: 20_000 });
	await p.getByPlaceholder('Add an action…').fill('Write to the director');
	await p.getByRole('button', { name: 'Add action' }).click();

	await expect.poll(() => c.getByRole('button', { name: 'End session' }).isEnabled(), { timeout: 20_000 }).toBe(true);
	await c.getByRole('button', { name: 'End session' }).click();
	const dialog = c.getByRole('dialog', { name: 'End the session for everyone?' });
	const warning = dialog.getByTestId('unsynced-warning');
	await warning.waitFor();
	expect(await warning.textContent()).toContain('Edits not yet saved on the page of: Sam Coachee.');
	await screenshot(c, 'summary-end-dialog-unsynced');
	// The coach can wait; nothing has ended.
	await dialog.getByRole('button', { name: 'Keep going' }).click();
	expect(new URL(c.url()).pathname).toBe(`/sessions/${pair.sessionId}`);
	expect(await (await fetch(`${app.server.url}/sessions/${pair.sessionId}/summary`, { headers: { cookie: pair.coach.cookie }, redirect: 'manual' })).text()).toContain('This session has not ended yet.');
});

it('a page that was offline when the session ended moves to the summary when it is back', async () => {
	const pair = await coachingPair(app.server.url);
	const { c, p } = await coachAndCoachee(pair);
	// The coachee's live connection can be cut and kept down, like a train going into a tunnel.
	let down = false;
	let live: { close(): Promise<void> } | null = null;
	await p.routeWebSocket(/\/socket\.io\//, (ws) => {
		if (down) return void ws.close();
		live = ws;
		ws.connectToServer();
	});
	await c.goto(`/sessions/${pair.sessionId}`);
	await p.goto(`/sessions/${pair.sessionId}`);
	await c.getByTestId('presence').getByText('Sam Coachee').waitFor({ timeout: 20_000 });
	await expect.poll(() => live !== null).toBe(true);
	down = true;
	await live!.close();

	await expect.poll(() => c.getByRole('button', { name: 'End session' }).isEnabled(), { timeout: 20_000 }).toBe(true);
	await c.getByRole('button', { name: 'End session' }).click();
	await c.getByRole('dialog').getByRole('button', { name: /^End (session|anyway)$/ }).click();
	await c.waitForURL(/\/summaries\/[a-z2-7]+$/);
	expect(new URL(p.url()).pathname).toBe(`/sessions/${pair.sessionId}`);

	down = false;
	await p.waitForURL(/\/summaries\/[a-z2-7]+$/, { timeout: 20_000 });
	expect(new URL(p.url()).pathname).toBe(new URL(c.url()).pathname);
});
