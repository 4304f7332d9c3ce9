/**
 * Issue 16, "coach on instance A, coachee on instance B": three instances
 * behind the real HAProxy, the coach's connections straight at A, the
 * coachee's at B. Pad edits go both ways, presence and the shown prompt card
 * cross instances, and ending the session makes one summary, mailed once to
 * each person.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { coachingPair } from '../helpers/http.ts';
import { padClient, until } from '../helpers/pad.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { notesOf, notesText } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { clusterPerFile, startTyping, tokensIn, untilHolds } from './support.ts';

const file = clusterPerFile();
const sockets = file.sockets;

/** Socket answers on a loaded 2-core machine running three servers. */
const SLOW = 15_000;
/** Where a failure happened, in the test's output. */
const step = (what: string) => console.log(`[two-instances] ${what}`);
const onlySummaries = (m: { subject?: string }) => /^Session summary/.test(m.subject ?? '');
const recipientsOf = (m: { to?: unknown }) => JSON.stringify(m.to);

async function joined(url: string, cookie: string, sessionId: string): Promise<ClientSocket> {
	const s = connect(url, cookie);
	sockets.push(s);
	await connected(s);
	const r = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION }, SLOW);
	if (!r.ok) throw new Error(`join on ${url} failed: ${JSON.stringify(r)}`);
	return s;
}

describe('coach on instance A, coachee on instance B', () => {
	it('pad, presence, prompt card and session end all work across instances', async () => {
		const [a, b] = file.cluster.instances;
		const { coach, coachee, sessionId, emails } = await coachingPair(file.cluster.lbUrl!);

		step('presence');
		// Presence: each sees the other although they joined on different instances.
		const coachSocket = await joined(a!.url, coach.cookie, sessionId);
		const bothSeen = new Promise<string[]>((resolve) =>
			coachSocket.on('presence:update', (m: { participants: { name: string }[] }) => m.participants.length === 2 && resolve(m.participants.map((p) => p.name).sort()))
		);
		const coacheeSocket = await joined(b!.url, coachee.cookie, sessionId);
		expect(await bothSeen).toEqual(['Casey Coach', 'Sam Coachee']);

		step('pad');
		// The pad: edits both ways, then both type at once and converge.
		const coachPad = padClient(a!.url, coach.cookie, sessionId);
		const coacheePad = padClient(b!.url, coachee.cookie, sessionId);
		await Promise.all([coachPad.synced(), coacheePad.synced()]);
		const p = new Y.XmlElement('paragraph');
		p.insert(0, [new Y.XmlText('Written by the coach on A')]);
		notesOf(coachPad.doc).push([p]);
		await until(() => notesText(notesOf(coacheePad.doc)).includes('Written by the coach on A'), 5000, 'coach edit at the coachee on B');
		const q = new Y.XmlElement('paragraph');
		q.insert(0, [new Y.XmlText('Answered by the coachee on B')]);
		notesOf(coacheePad.doc).push([q]);
		await until(() => notesText(notesOf(coachPad.doc)).includes('Answered by the coachee on B'), 5000, 'coachee edit at the coach on A');
		const typing = [startTyping(coachPad, 'c', 30), startTyping(coacheePad, 'e', 30)];
		await new Promise((r) => setTimeout(r, 1500));
		for (const t of typing) t.stop();
		const all = [...tokensIn(coachPad.doc), ...tokensIn(coacheePad.doc)];
		expect(all.length).toBeGreaterThan(40);
		await untilHolds(coachPad, all, 5000, 'the coach has every edit');
		await untilHolds(coacheePad, all, 5000, 'the coachee has every edit');

		// The prompt card the coach shows on A reaches the coachee on B.
		const card = new Promise<{ text: string }>((resolve) => coacheeSocket.once('prompts:card', resolve));
		step('prompt card');
		const shown = await request<{ text: string }>(coachSocket, 'prompts:show', { sessionId, id: 'goal-focus-today' }, SLOW);
		expect(shown.ok).toBe(true);
		expect((await card).text).toBe(shown.ok ? shown.value.text : '');
		expect(await request(coacheeSocket, 'prompts:current-card', { sessionId }, SLOW)).toMatchObject({ ok: true, value: { text: shown.ok ? shown.value.text : '' } });

		// Ending on A: the coachee on B hears of it; one summary; one email to each person.
		const endedOnB = new Promise((resolve) => coacheeSocket.once('session:ended', resolve));
		step('ending');
		const ended = await request<{ summaryId: string }>(coachSocket, 'session:end', { sessionId }, 30_000);
		expect(ended.ok).toBe(true);
		await endedOnB;
		coachPad.destroy();
		coacheePad.destroy();
		const { rows } = await file.cluster.pg.query<{ content: string }>('select content from summaries where session_id = $1', [sessionId]);
		expect(rows).toHaveLength(1);
		expect(rows[0]!.content).toContain('Written by the coach on A');
		expect(rows[0]!.content).toContain('Answered by the coachee on B');
		await until(() => file.cluster.smtp.received.filter(onlySummaries).length >= 2, 20_000, 'two summary emails');
		await new Promise((r) => setTimeout(r, 2000));
		const mails = file.cluster.smtp.received.filter(onlySummaries).map(recipientsOf);
		expect(mails).toHaveLength(2);
		expect(mails.filter((m) => m.includes(emails.coach))).toHaveLength(1);
		expect(mails.filter((m) => m.includes(emails.coachees[0]!))).toHaveLength(1);
	});
});
