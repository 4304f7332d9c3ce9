/**
 * The prompt panel's socket events. The role comes from the server (the
 * session the socket joined), never from the client: a coachee asking a
 * coach-only event gets `forbidden` and nothing else happens. Prompt text is
 * resolved on the server from the library or the coach's own prompts, so a
 * client cannot put words on the coachee's screen that are not a prompt.
 */
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Engagements } from '../engagements/index.ts';
import { handle, type Rooms, type RoomSocket } from '../rooms/index.ts';
import { newId } from '../auth/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import { loadLibrary, validateCustomPrompt, DUPLICATE_PROMPT_MESSAGE } from '../../shared/prompts/index.ts';
import type { Prompt, PromptInputField } from '../../shared/prompts/index.ts';
import type { PromptDesk, PromptFailure, ShownCard } from '../../shared/protocol/index.ts';
import { isUniqueViolation, type PromptStore } from './store.ts';
import type { ShownCards } from './cards.ts';

type Refused = { ok: false; error: PromptFailure };

/** One message per field, and the first one as the ack's message. */
function invalid(errors: Partial<Record<PromptInputField, string>>): Refused {
	const [field, message] = Object.entries(errors)[0] ?? ['text', 'Check the prompt.'];
	return { ok: false, error: { code: 'invalid_input', message, field, fields: errors } };
}

const NOT_JOINED = 'Join the session first.';
const COACH_ONLY = 'Only the coach can use the prompt panel.';

export function registerPromptEvents(deps: { rooms: Rooms; engagements: Engagements; store: PromptStore; cards: ShownCards; log: Logger }) {
	const { rooms, engagements, store, cards, log } = deps;
	const library = new Map(loadLibrary().map((p) => [p.id, p]));

	async function toCoach(sessionId: string, send: (s: Awaited<ReturnType<Rooms['socketsOf']>>[number]) => void, except?: string) {
		for (const s of await rooms.socketsOf(sessionId, 'coach')) if (s.id !== except) send(s);
	}

	rooms.addFeature((socket: RoomSocket) => {
		const user = socket.data.user;

		/** Runs `fn` only for the coach of a session this socket joined. */
		function asCoach<T>(sessionId: string, fn: () => Promise<Result<T> | Refused>): Promise<Result<T> | Refused> | Result<T> {
			const role = rooms.roleIn(socket, sessionId);
			if (!role) return fail('not_found', NOT_JOINED);
			if (role !== 'coach') {
				log.warn({ user: user.id, sessionId }, 'coachee called a coach-only prompt event');
				return fail('forbidden', COACH_ONLY);
			}
			return fn();
		}

		/** A prompt this coach may use: from the library, or one of their own. */
		async function promptFor(id: string): Promise<Prompt | undefined> {
			return library.get(id) ?? (await store.customPrompt(user.id, id));
		}

		/** The session must still be open, and the words follow the engagement's kind. */
		async function wording(sessionId: string, prompt: Prompt): Promise<Result<string>> {
			const access = await engagements.sessionAccess(sessionId, user.id);
			if (!access || access.role !== 'coach') return fail('not_found', NOT_JOINED);
			if (access.session.status === 'ended') return fail('gone', 'This session has ended.');
			return ok(access.engagement.kind === 'mentoring' && prompt.mentoring ? prompt.mentoring : prompt.text);
		}

		// Other tabs of the same coach load again, so two windows stay in step.
		const changed = (sessionId: string) => void toCoach(sessionId, (s) => s.emit('prompts:changed', { sessionId }), socket.id);

		handle(socket, log, 'prompts:load', ({ sessionId }) =>
			asCoach(sessionId, async () => {
				const [custom, favourites, asked] = await Promise.all([store.customOf(user.id), store.favouritesOf(user.id), store.askedIn(sessionId)]);
				const desk: PromptDesk = { custom, favourites, asked, card: await cards.get(sessionId), maxCustom: limits.prompts.maxCustomPerCoach };
				return ok(desk);
			})
		);

		handle(socket, log, 'prompts:create', ({ sessionId, prompt }) =>
			asCoach(sessionId, async () => {
				const existing = await store.customOf(user.id);
				const checked = validateCustomPrompt(prompt, existing);
				if (!checked.ok) return invalid(checked.errors);
				if (existing.length >= limits.prompts.maxCustomPerCoach) {
					return fail('too_large', `You have ${limits.prompts.maxCustomPerCoach} prompts of your own, the most you can keep; delete one to add another.`);
				}
				try {
					const created = await store.addCustom(user.id, checked.value);
					log.info({ user: user.id, prompt: created.id }, 'custom prompt created');
					changed(sessionId);
					return ok(created);
				} catch (err) {
					// Two tabs saving the same text at once: the unique index decides.
					if (isUniqueViolation(err)) return invalid({ text: DUPLICATE_PROMPT_MESSAGE });
					throw err;
				}
			})
		);

		handle(socket, log, 'prompts:update', ({ sessionId, id, prompt }) =>
			asCoach(sessionId, async () => {
				const existing = await store.customOf(user.id);
				if (!existing.some((p) => p.id === id)) {
					return fail('not_found', library.has(id) ? 'Library prompts cannot be edited; write your own version instead.' : 'That prompt no longer exists.');
				}
				const checked = validateCustomPrompt(prompt, existing.filter((p) => p.id !== id));
				if (!checked.ok) return invalid(checked.errors);
				try {
					const updated = await store.updateCustom(user.id, id, checked.value);
					if (!updated) return fail('not_found', 'That prompt no longer exists.');
					log.info({ user: user.id, prompt: id }, 'custom prompt updated');
					changed(sessionId);
					return ok(updated);
				} catch (err) {
					if (isUniqueViolation(err)) return invalid({ text: DUPLICATE_PROMPT_MESSAGE });
					throw err;
				}
			})
		);

		handle(socket, log, 'prompts:delete', ({ sessionId, id }) =>
			asCoach(sessionId, async () => {
				if (!(await store.deleteCustom(user.id, id))) {
					return fail('not_found', library.has(id) ? 'Library prompts cannot be deleted.' : 'That prompt no longer exists.');
				}
				log.info({ user: user.id, prompt: id }, 'custom prompt deleted');
				changed(sessionId);
				return ok(true as const);
			})
		);

		handle(socket, log, 'prompts:favourite', ({ sessionId, id, favourite }) =>
			asCoach(sessionId, async () => {
				if (favourite && !(await promptFor(id))) return fail('not_found', 'That prompt no longer exists.');
				await store.setFavourite(user.id, id, favourite);
				changed(sessionId);
				return ok(true as const);
			})
		);

		handle(socket, log, 'prompts:ask', ({ sessionId, id }) =>
			asCoach(sessionId, async () => {
				const prompt = await promptFor(id);
				if (!prompt) return fail('not_found', 'That prompt no longer exists.');
				const text = await wording(sessionId, prompt);
				if (!text.ok) return text;
				const asked = await store.markAsked(sessionId, user.id, { id, text: text.value, phase: prompt.phase }, limits.prompts.maxAskedPerSession);
				if (asked === 'full') return fail('too_large', `This session already has ${limits.prompts.maxAskedPerSession} prompts marked as asked.`);
				log.info({ user: user.id, sessionId, prompt: id }, 'prompt marked as asked');
				changed(sessionId);
				return ok(asked);
			})
		);

		handle(socket, log, 'prompts:unask', ({ sessionId, id }) =>
			asCoach(sessionId, async () => {
				if (!(await store.unmarkAsked(sessionId, id))) return fail('not_found', 'That prompt is not marked as asked.');
				log.info({ user: user.id, sessionId, prompt: id }, 'prompt unmarked');
				changed(sessionId);
				return ok(true as const);
			})
		);

		handle(socket, log, 'prompts:show', ({ sessionId, id }) =>
			asCoach(sessionId, async () => {
				const prompt = await promptFor(id);
				if (!prompt) return fail('not_found', 'That prompt no longer exists.');
				const text = await wording(sessionId, prompt);
				if (!text.ok) return text;
				const card: ShownCard = { cardId: newId(), promptId: id, text: text.value, shownAt: Date.now(), dismissedBy: [] };
				await cards.show(sessionId, card);
				// Only the card's words reach the coachees: no id, phase or anything else of the panel.
				for (const s of await rooms.socketsOf(sessionId, 'coachee')) s.emit('prompts:card', { sessionId, cardId: card.cardId, text: card.text });
				await toCoach(sessionId, (s) => s.emit('prompts:card-state', { sessionId, card }));
				log.info({ user: user.id, sessionId, prompt: id }, 'prompt shown to coachee');
				return ok(card);
			})
		);

		handle(socket, log, 'prompts:withdraw', ({ sessionId }) =>
			asCoach(sessionId, async () => {
				const card = await cards.clear(sessionId);
				if (!card) return fail('not_found', 'No card is being shown.');
				for (const s of await rooms.socketsOf(sessionId, 'coachee')) s.emit('prompts:card-cleared', { sessionId, cardId: card.cardId });
				await toCoach(sessionId, (s) => s.emit('prompts:card-state', { sessionId, card: null }));
				return ok(true as const);
			})
		);

		// Coachee events: the card on screen now, and putting it away.
		handle(socket, log, 'prompts:current-card', async ({ sessionId }) => {
			const role = rooms.roleIn(socket, sessionId);
			if (!role) return fail('not_found', NOT_JOINED);
			// Cards are for coachees; a sponsor in a three-way meeting never sees a prompt.
			if (role !== 'coachee') return ok(null);
			const card = await cards.get(sessionId);
			if (!card || (await cards.dismissedBy(sessionId, user.id))) return ok(null);
			return ok({ sessionId, cardId: card.cardId, text: card.text });
		});

		handle(socket, log, 'prompts:dismiss', async ({ sessionId, cardId }) => {
			const role = rooms.roleIn(socket, sessionId);
			if (!role) return fail('not_found', NOT_JOINED);
			if (role !== 'coachee') return fail('forbidden', 'Only a coachee dismisses the card; take it back instead.');
			const card = await cards.dismiss(sessionId, cardId, { userId: user.id, name: user.name }, Date.now());
			if (!card) return ok(true as const); // Already replaced or taken back: nothing left to put away.
			// The coachee's other tabs put it away too.
			for (const s of await rooms.socketsOf(sessionId, 'coachee')) {
				if (s.id !== socket.id && s.data.user.id === user.id) s.emit('prompts:card-cleared', { sessionId, cardId });
			}
			await toCoach(sessionId, (s) => s.emit('prompts:card-state', { sessionId, card }));
			log.info({ user: user.id, sessionId }, 'coachee dismissed the prompt card');
			return ok(true as const);
		});
	});
}
