/**
 * Issue 14, part 3, in Chromium: the coachee reads, in the contract they
 * accept, that the coach may list them by name in the coaching log; after a
 * session held through the server, the coach opens **Your practice** from
 * the dashboard, sees the session's real length, marks the engagement pro
 * bono with the client's organisation, downloads the CSV, writes a
 * supervision note and downloads it with the coachee's name replaced by the
 * label. Desktop and phone screenshots of both pages.
 */
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { engagementWithCoachee, hydrated, newPerson, screenshot, serverAndBrowser, visitorOf } from '../helpers/browser.ts';
import { agreeContract } from '../helpers/http.ts';
import { writeAndEndSession } from '../helpers/session-content.ts';

const app = serverAndBrowser();

it('the coach logs the hours held and keeps supervision notes that name nobody when exported', async () => {
	// The coach on a desktop, the coachee on a phone.
	const [coach, coachee] = await Promise.all([newPerson(app.browser, app.server.url), newPerson(app.browser, app.server.url, { width: 390, height: 844 })]);
	const { page: c } = coach;
	const { page: p } = coachee;
	const engagement = await engagementWithCoachee(c, p, { coachee: 'Samira Okafor', title: 'New team, new role' });
	const engagementId = engagement.split('/').pop()!;
	const [coachV, coacheeV] = await Promise.all([visitorOf(coach.context, app.server.url), visitorOf(coachee.context, app.server.url)]);
	await agreeContract({ visitor: coachV, name: 'Casey Coach' }, [{ visitor: coacheeV, name: 'Samira Okafor' }], engagementId, { change: (b) => void (b.coachingLog = { listByName: true }) });

	// The coachee reads what they agreed to, on their phone.
	await p.goto(`${engagement}/contract`);
	await p.getByText('Your coach may list you by name and email address in their coaching log').first().waitFor();

	// A session held through the server for a few seconds.
	const sessionId = await coachV.scheduleSession(engagementId);
	await writeAndEndSession(app.server.url, coachV.cookie, sessionId, { note: 'n', action: 'a', privateNote: 'p' }, 4_000);

	// Dashboard -> Your practice.
	await c.goto('/');
	await c.getByRole('link', { name: 'Your practice' }).click();
	await c.waitForURL(/\/practice$/);
	await hydrated(c);
	const line = c.getByTestId('log-line');
	await line.getByText('Listed by name in your log').waitFor();
	await line.getByText('Sessions held').click();
	expect(await line.getByText(/Session 1: .* · \d+ s/).textContent()).toMatch(/· ([4-9]|\d\d) s/);
	await line.getByText('Not set yet: counted as paid').waitFor();

	// Pro bono, with the organisation; the page says it is saved and the totals move.
	await line.getByLabel('Pro bono').check();
	await line.getByLabel('Client’s organisation').fill('Northwind Traders');
	await line.getByRole('button', { name: 'Save' }).click();
	await line.getByRole('status').getByText('Saved.').waitFor();
	expect(await c.getByTestId('paid-hours').textContent()).toBe('0.00 h');
	expect(await line.getByText('Not set yet').count()).toBe(0);
	await screenshot(c, 'practice-log-desktop');
	await c.setViewportSize({ width: 390, height: 844 });
	await screenshot(c, 'practice-log-phone');
	await c.setViewportSize({ width: 1280, height: 800 });

	// The CSV download, read back.
	const [download] = await Promise.all([c.waitForEvent('download'), c.getByRole('link', { name: 'Download the coaching log (CSV)' }).click()]);
	const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { bom: true }) as string[][];
	expect(rows[1]!.slice(0, 5)).toEqual(['Samira Okafor', expect.stringContaining('@example.org'), 'Individual', '', 'Northwind Traders']);
	expect(rows[1]![7]).toBe('0.00');

	// Supervision notes.
	await line.getByRole('link', { name: 'Supervision notes' }).click();
	await c.waitForURL(new RegExp(`/practice/${engagementId}$`));
	await hydrated(c);
	await c.getByRole('button', { name: 'Add note' }).click();
	await c.getByRole('alert').getByText('Write the note.').waitFor();
	await c.getByLabel('What you noticed, in yourself and in the work').fill('Samira Okafor went quiet when Northwind Traders came up. I filled the silence too soon: bring to supervision.');
	await c.getByRole('button', { name: 'Add note' }).click();
	await c.getByTestId('note').getByText('I filled the silence too soon').waitFor();
	await screenshot(c, 'practice-supervision-desktop');
	await c.setViewportSize({ width: 390, height: 844 });
	await screenshot(c, 'practice-supervision-phone');
	await c.setViewportSize({ width: 1280, height: 800 });
	const [md] = await Promise.all([c.waitForEvent('download'), c.getByRole('link', { name: 'Download for supervision (Markdown)' }).click()]);
	const text = fs.readFileSync((await md.path())!, 'utf8');
	expect(text).toContain('Client 1 went quiet when Client 1’s organisation came up.');
	for (const s of ['Samira', 'Okafor', 'Northwind', 'New team, new role']) expect(text).not.toContain(s);

	// The coachee's own practice page shows nothing of the coach's; the notes page is not there for them.
	await p.goto('/practice');
	await p.getByText('You coach no engagements yet').waitFor();
	expect(await p.content()).not.toContain('New team, new role');
	const refused = await p.goto(`/practice/${engagementId}`);
	expect(refused?.status()).toBe(404);
	await coach.context.close();
	await coachee.context.close();
});
