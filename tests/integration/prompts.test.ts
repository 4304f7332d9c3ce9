/**
 * The prompt panel over the real server, on SQLite and PostgreSQL: coachees
 * receive nothing of the coach's prompts but a card the coach shows; coach-only
 * events refuse coachees; custom prompts are validated field by field; asked
 * prompts are kept in order, also across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { coachingPair } from '../helpers/http.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import type { AskedPrompt, PromptDesk, ShownCard } from '../../shared/protocol/index.ts';
import { PROMPT_TEXT_MAX, loadLibrary } from '../../shared/prompts/index.ts';
import type { Prompt } from '../../shared/prompts/index.ts';

const library = new Map(loadLibrary().map((p) => [p.id, p]));
const text = (id: string) => library.get(id)!.text;

async function joined(url: string, cookie: string, sessionId: string): Promise<ClientSocket> {
	const socket = connect(url, cookie);
	await connected(socket);
	const r = await request(socket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	if (!r.ok) throw new Error(`join failed: ${JSON.stringify(r)}`);
	return socket;
}

/** Every event a socket receives, with its payload. */
function recordAll(socket: ClientSocket): { event: string; args: unknown[] }[] {
	const received: { event: string; args: unknown[] }[] = [];
	socket.onAny((event: string, ...args: unknown[]) => received.push({ event, args }));
	return received;
}

function nextEvent<T>(socket: ClientSocket, event: string): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${event} within 5 s`)), 5000);
		(socket as unknown as { once(event: string, listener: (msg: T) => void): void }).once(event, (msg: T) => {
			clearTimeout(timer);
			resolve(msg);
		});
	});
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe.each<DbKind>(['sqlite', 'postgres'])('prompt panel on %s', (db) => {
	let server: TestServer;
	const sockets: ClientSocket[] = [];
	beforeAll(async () => {
		server = await startServer({ db });
	});
	afterAll(async () => {
		for (const s of sockets) s.close();
		await server?.cleanup();
	});
	const join = async (cookie: string, sessionId: string) => {
		const s = await joined(server.url, cookie, sessionId);
		sockets.push(s);
		return s;
	};

	it('sends the coachee nothing of the coach’s prompts except the card the coach shows', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const coachSocket = await join(coach.cookie, sessionId);
		const coacheeSocket = await join(coachee.cookie, sessionId);
		await settle(); // presence of the join itself
		const received = recordAll(coacheeSocket);

		const loaded = await request<PromptDesk>(coachSocket, 'prompts:load', { sessionId });
		expect(loaded).toMatchObject({ ok: true, value: { custom: [], favourites: [], asked: [], card: null } });
		const own = await request<Prompt>(coachSocket, 'prompts:create', {
			sessionId,
			prompt: { text: 'What would your grandmother at the bakery say?', phase: 'options', themes: ['change'] }
		});
		expect(own.ok).toBe(true);
		const ownId = own.ok ? own.value.id : '';
		expect(await request(coachSocket, 'prompts:favourite', { sessionId, id: 'reality-and-what-else', favourite: true })).toEqual({ ok: true, value: true });
		expect(await request(coachSocket, 'prompts:favourite', { sessionId, id: ownId, favourite: true })).toEqual({ ok: true, value: true });
		expect((await request(coachSocket, 'prompts:ask', { sessionId, id: 'scoping-happening-now' })).ok).toBe(true);
		expect((await request(coachSocket, 'prompts:ask', { sessionId, id: ownId })).ok).toBe(true);
		await settle();
		// Only presence so far: not one prompt event, not one prompt word.
		expect(received.map((r) => r.event).filter((e) => e !== 'presence:update')).toEqual([]);

		const shownCard = nextEvent<{ sessionId: string; cardId: string; text: string }>(coacheeSocket, 'prompts:card');
		const coachSees = nextEvent<{ card: ShownCard }>(coachSocket, 'prompts:card-state');
		const shown = await request<ShownCard>(coachSocket, 'prompts:show', { sessionId, id: 'goal-focus-today' });
		expect(shown).toMatchObject({ ok: true, value: { promptId: 'goal-focus-today', text: text('goal-focus-today'), dismissedBy: [] } });
		const card = await shownCard;
		// The card carries its words and its handle, nothing else (no prompt id, phase or themes).
		expect(Object.keys(card).sort()).toEqual(['cardId', 'sessionId', 'text']);
		expect(card.text).toBe(text('goal-focus-today'));
		expect((await coachSees).card.cardId).toBe(card.cardId);
		await settle();

		const promptEvents = received.filter((r) => r.event !== 'presence:update');
		expect(promptEvents).toEqual([{ event: 'prompts:card', args: [card] }]);
		const everything = JSON.stringify(received);
		for (const secret of ['bakery', text('scoping-happening-now'), text('reality-and-what-else'), ownId, 'scoping-happening-now', 'goal-focus-today', 'reality-and-what-else']) {
			expect(everything).not.toContain(secret);
		}

		// A coachee who reconnects gets the card again; after dismissing, no more.
		expect(await request(coacheeSocket, 'prompts:current-card', { sessionId })).toEqual({ ok: true, value: card });
		const dismissedSeen = nextEvent<{ card: ShownCard }>(coachSocket, 'prompts:card-state');
		expect(await request(coacheeSocket, 'prompts:dismiss', { sessionId, cardId: card.cardId })).toEqual({ ok: true, value: true });
		const state = await dismissedSeen;
		expect(state.card.dismissedBy).toEqual([expect.objectContaining({ name: 'Sam Coachee' })]);
		expect(await request(coacheeSocket, 'prompts:current-card', { sessionId })).toEqual({ ok: true, value: null });
		const again = await request<PromptDesk>(coachSocket, 'prompts:load', { sessionId });
		expect(again.ok && again.value.card?.dismissedBy.map((d) => d.name)).toEqual(['Sam Coachee']);

		// Taking a card back clears it on the coachee's screen.
		const second = await request<ShownCard>(coachSocket, 'prompts:show', { sessionId, id: ownId });
		expect(second.ok && second.value.text).toBe('What would your grandmother at the bakery say?');
		const cleared = nextEvent<{ cardId: string }>(coacheeSocket, 'prompts:card-cleared');
		expect(await request(coachSocket, 'prompts:withdraw', { sessionId })).toEqual({ ok: true, value: true });
		expect((await cleared).cardId).toBe(second.ok ? second.value.cardId : '');
		expect(await request(coacheeSocket, 'prompts:current-card', { sessionId })).toEqual({ ok: true, value: null });
	});

	it('answers a coachee’s coach-only events with an error and changes nothing', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const coachSocket = await join(coach.cookie, sessionId);
		const coacheeSocket = await join(coachee.cookie, sessionId);
		const received = recordAll(coacheeSocket);
		const attempts: [string, object][] = [
			['prompts:load', { sessionId }],
			['prompts:create', { sessionId, prompt: { text: 'Sneaky question from the coachee?', phase: 'goal' } }],
			['prompts:update', { sessionId, id: 'goal-focus-today', prompt: { text: 'Changed?', phase: 'goal' } }],
			['prompts:delete', { sessionId, id: 'goal-focus-today' }],
			['prompts:favourite', { sessionId, id: 'goal-focus-today', favourite: true }],
			['prompts:ask', { sessionId, id: 'goal-focus-today' }],
			['prompts:unask', { sessionId, id: 'goal-focus-today' }],
			['prompts:show', { sessionId, id: 'goal-focus-today' }],
			['prompts:withdraw', { sessionId }]
		];
		for (const [event, payload] of attempts) {
			const r = await request(coacheeSocket, event, payload);
			expect(r, event).toMatchObject({ ok: false, error: { code: 'forbidden', message: 'Only the coach can use the prompt panel.' } });
		}
		await settle();
		expect(received.filter((r) => r.event !== 'presence:update')).toEqual([]);
		const desk = await request<PromptDesk>(coachSocket, 'prompts:load', { sessionId });
		expect(desk).toMatchObject({ ok: true, value: { custom: [], favourites: [], asked: [], card: null } });
		// The coach cannot dismiss for the coachee, and a socket that has not joined gets nothing.
		expect(await request(coachSocket, 'prompts:dismiss', { sessionId, cardId: 'abcdefghijklmnop' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
		const stranger = connect(server.url, coachee.cookie);
		sockets.push(stranger);
		await connected(stranger);
		expect(await request(stranger, 'prompts:load', { sessionId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		expect(await request(stranger, 'prompts:current-card', { sessionId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		// Malformed payloads are refused by the schema.
		expect(await request(coachSocket, 'prompts:ask', { sessionId, id: '../etc' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
		expect(await request(coachSocket, 'prompts:create', { sessionId, prompt: 'text' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
	});

	it('validates custom prompts with a message per field', async () => {
		const { coach, sessionId } = await coachingPair(server.url);
		const s = await join(coach.cookie, sessionId);
		const create = (prompt: object) => request<Prompt>(s, 'prompts:create', { sessionId, prompt });

		expect(await create({ text: '   ', phase: 'goal' })).toMatchObject({
			ok: false,
			error: { code: 'invalid_input', field: 'text', message: 'Write the prompt.', fields: { text: 'Write the prompt.' } }
		});
		expect(await create({ text: 'x'.repeat(PROMPT_TEXT_MAX + 1), phase: 'goal' })).toMatchObject({
			ok: false,
			error: { fields: { text: 'Keep the prompt to 500 characters or fewer.' } }
		});
		const both = await create({ text: '', phase: 'middle' });
		expect(both.ok).toBe(false);
		if (!both.ok) expect((both.error as { fields?: unknown }).fields).toEqual({ text: 'Write the prompt.', phase: expect.stringMatching(/^Choose one of the phases/) });

		const first = await create({ text: 'What would make this week feel lighter?', phase: 'goal', themes: ['wellbeing'] });
		expect(first).toMatchObject({ ok: true, value: { text: 'What would make this week feel lighter?', phase: 'goal', themes: ['wellbeing'] } });
		expect(await create({ text: '  WHAT would make this   week feel lighter? ', phase: 'close' })).toMatchObject({
			ok: false,
			error: { field: 'text', fields: { text: 'You already have a prompt with this text.' } }
		});
		const other = await create({ text: 'Who else could help?', phase: 'options' });
		expect(other.ok).toBe(true);
		if (!first.ok || !other.ok) return;
		// Editing into a duplicate is refused; editing a prompt's own text in place is fine.
		expect(await request(s, 'prompts:update', { sessionId, id: other.value.id, prompt: { text: 'what would make this week feel lighter?', phase: 'options' } })).toMatchObject({
			ok: false,
			error: { fields: { text: 'You already have a prompt with this text.' } }
		});
		expect(await request(s, 'prompts:update', { sessionId, id: first.value.id, prompt: { text: 'What would make this week feel lighter?', phase: 'will', mentoring: 'When I had weeks like this, what helped was…' } })).toMatchObject({
			ok: true,
			value: { id: first.value.id, phase: 'will', mentoring: 'When I had weeks like this, what helped was…' }
		});
		expect(await request(s, 'prompts:update', { sessionId, id: 'goal-focus-today', prompt: { text: 'Mine now?', phase: 'goal' } })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		expect(await request(s, 'prompts:delete', { sessionId, id: other.value.id })).toEqual({ ok: true, value: true });
		expect(await request(s, 'prompts:delete', { sessionId, id: other.value.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		const desk = await request<PromptDesk>(s, 'prompts:load', { sessionId });
		expect(desk.ok && desk.value.custom.map((p) => p.text)).toEqual(['What would make this week feel lighter?']);
	});

	it('keeps asked prompts in the order asked, with their words then, across a restart', async () => {
		const { coach, sessionId, engagementId } = await coachingPair(server.url);
		let s = await join(coach.cookie, sessionId);
		const own = await request<Prompt>(s, 'prompts:create', { sessionId, prompt: { text: 'What is the one thing you will not do?', phase: 'will' } });
		if (!own.ok) throw new Error(JSON.stringify(own));
		const order = ['close-summary', own.value.id, 'scoping-happening-now', 'reality-and-what-else'];
		const times: number[] = [];
		for (const id of order) {
			const r = await request<AskedPrompt>(s, 'prompts:ask', { sessionId, id });
			if (!r.ok) throw new Error(JSON.stringify(r));
			times.push(r.value.askedAt);
		}
		// Asking again keeps the first time; unmarking takes it off the timeline.
		const repeat = await request<AskedPrompt>(s, 'prompts:ask', { sessionId, id: 'close-summary' });
		expect(repeat.ok && repeat.value.askedAt).toBe(times[0]);
		expect(await request(s, 'prompts:unask', { sessionId, id: 'scoping-happening-now' })).toEqual({ ok: true, value: true });
		expect(await request(s, 'prompts:unask', { sessionId, id: 'scoping-happening-now' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
		// Editing the prompt later does not rewrite what was asked.
		await request(s, 'prompts:update', { sessionId, id: own.value.id, prompt: { text: 'What will you stop doing?', phase: 'will' } });
		await request(s, 'prompts:favourite', { sessionId, id: 'close-summary', favourite: true });

		s.close();
		expect(await server.stop('SIGTERM')).toBe(0);
		await server.restart();
		s = await join(coach.cookie, sessionId);
		const desk = await request<PromptDesk>(s, 'prompts:load', { sessionId });
		if (!desk.ok) throw new Error(JSON.stringify(desk));
		expect(desk.value.asked.map((a) => [a.promptId, a.text, a.phase])).toEqual([
			['close-summary', text('close-summary'), 'close'],
			[own.value.id, 'What is the one thing you will not do?', 'will'],
			['reality-and-what-else', text('reality-and-what-else'), 'reality']
		]);
		const at = desk.value.asked.map((a) => a.askedAt);
		expect(at).toEqual([...at].sort((a, b) => a - b));
		expect(new Set(at).size).toBe(3);
		expect(desk.value.custom.map((p) => p.text)).toEqual(['What will you stop doing?']);
		expect(desk.value.favourites).toEqual(['close-summary']);
		expect(engagementId).toBeTruthy();
	});

	it('uses the mentoring wording in a mentoring engagement', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url, { kind: 'mentoring' });
		const s = await join(coach.cookie, sessionId);
		const c = await join(coachee.cookie, sessionId);
		const mentoring = library.get('scoping-happening-now')!.mentoring!;
		expect(await request(s, 'prompts:ask', { sessionId, id: 'scoping-happening-now' })).toMatchObject({ ok: true, value: { text: mentoring } });
		const card = nextEvent<{ text: string }>(c, 'prompts:card');
		await request(s, 'prompts:show', { sessionId, id: 'scoping-happening-now' });
		expect((await card).text).toBe(mentoring);
	});
});
