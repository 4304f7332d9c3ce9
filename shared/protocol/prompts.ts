/**
 * The coach's prompt panel over the session socket. Every request is
 * coach-only except the coachee's `prompts:current-card` and `prompts:dismiss`: the
 * coach's prompts, favourites and asked list never travel to a coachee. The
 * only prompt text a coachee receives is a card the coach chose to show.
 */
import { z } from 'zod';
import { sessionId } from './room.ts';
import type { Failure } from '../result.ts';
import type { Prompt, PromptInputField, PromptPhase } from '../prompts/index.ts';

// Library ids ("reality-what-else") and custom ids ("own-<random>") alike.
export const promptId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+){0,12}$/, 'Not a prompt id.').max(120);

// The text is checked by validateCustomPrompt on the server, which gives one
// message per field; this only keeps the payload small and plain.
const promptInput = z
	.object({
		text: z.unknown(),
		phase: z.unknown(),
		themes: z.unknown(),
		mentoring: z.unknown()
	})
	.partial()
	.strict();

const promptsLoad = z.object({ sessionId }).strict();
const promptCreate = z.object({ sessionId, prompt: promptInput }).strict();
const promptUpdate = z.object({ sessionId, id: promptId, prompt: promptInput }).strict();
const promptDelete = z.object({ sessionId, id: promptId }).strict();
const promptFavourite = z.object({ sessionId, id: promptId, favourite: z.boolean() }).strict();
const promptAsk = z.object({ sessionId, id: promptId }).strict();
const promptUnask = z.object({ sessionId, id: promptId }).strict();
const promptShow = z.object({ sessionId, id: promptId }).strict();
const promptWithdraw = z.object({ sessionId }).strict();
const promptCard = z.object({ sessionId }).strict();
export const cardId = z.string().regex(/^[a-z2-7]{10,40}$/, 'Not a card id.');
const promptDismiss = z.object({ sessionId, cardId }).strict();

/** A prompt marked as asked: a snapshot, so later edits do not rewrite the session's history. */
// Types only from shared/prompts: importing its values here would put the coach's library in every page's bundle.
const askedPrompt = z.object({ promptId: z.string(), text: z.string(), phase: z.custom<PromptPhase>((v) => typeof v === 'string'), askedAt: z.number() });
export type AskedPrompt = z.infer<typeof askedPrompt>;

/** The card as the coach sees it: what was shown, and who dismissed it. */
const shownCard = z.object({
	cardId: z.string(),
	promptId: z.string(),
	text: z.string(),
	shownAt: z.number(),
	dismissedBy: z.array(z.object({ userId: z.string(), name: z.string(), at: z.number() }))
});
export type ShownCard = z.infer<typeof shownCard>;

/** The card as a coachee sees it: the text and nothing else of the coach's panel. */
const coacheeCard = z.object({ sessionId: z.string(), cardId: z.string(), text: z.string() });
export type CoacheeCard = z.infer<typeof coacheeCard>;

// A prompt's own shape and rules live with the library (shared/prompts); here it travels as it is.
const prompt = z.custom<Prompt>();

const promptDesk = z.object({
	/** The coach's own prompts, in the order they were written. */
	custom: z.array(prompt),
	favourites: z.array(z.string()),
	asked: z.array(askedPrompt),
	card: shownCard.nullable(),
	maxCustom: z.number().int()
});
export type PromptDesk = z.infer<typeof promptDesk>;

/** A refused custom prompt names every field's problem (`Failure.fields`), for the form to show inline. */
export type PromptFailure = Failure & { fields?: Partial<Record<PromptInputField, string>> };

const done = z.literal(true);

export const promptRequests = {
	'prompts:load': { payload: promptsLoad, reply: promptDesk },
	'prompts:create': { payload: promptCreate, reply: prompt },
	'prompts:update': { payload: promptUpdate, reply: prompt },
	'prompts:delete': { payload: promptDelete, reply: done },
	'prompts:favourite': { payload: promptFavourite, reply: done },
	'prompts:ask': { payload: promptAsk, reply: askedPrompt },
	'prompts:unask': { payload: promptUnask, reply: done },
	'prompts:show': { payload: promptShow, reply: shownCard },
	'prompts:withdraw': { payload: promptWithdraw, reply: done },
	/** Coachee: the card on screen now, if any (after joining or reconnecting). */
	'prompts:current-card': { payload: promptCard, reply: coacheeCard.nullable() },
	/** Coachee: put the card away. */
	'prompts:dismiss': { payload: promptDismiss, reply: done }
};

export const promptEvents = {
	/** To coachees: a card to show. */
	'prompts:card': coacheeCard,
	/** To coachees: the coach took the card back. */
	'prompts:card-cleared': z.object({ sessionId: z.string(), cardId: z.string() }),
	/** To the coach: the card changed (shown, dismissed, taken back). */
	'prompts:card-state': z.object({ sessionId: z.string(), card: shownCard.nullable() }),
	/** To the coach's other tabs: something changed; load again. */
	'prompts:changed': z.object({ sessionId: z.string() })
};
