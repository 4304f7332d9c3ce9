/**
 * The coach's prompt panel over the session socket. Every request is
 * coach-only except the coachee's `prompts:current-card` and `prompts:dismiss`: the
 * coach's prompts, favourites and asked list never travel to a coachee. The
 * only prompt text a coachee receives is a card the coach chose to show.
 */
import { z } from 'zod';
import type { Ack } from './ack.ts';
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

export const promptsLoad = z.object({ sessionId }).strict();
export const promptCreate = z.object({ sessionId, prompt: promptInput }).strict();
export const promptUpdate = z.object({ sessionId, id: promptId, prompt: promptInput }).strict();
export const promptDelete = z.object({ sessionId, id: promptId }).strict();
export const promptFavourite = z.object({ sessionId, id: promptId, favourite: z.boolean() }).strict();
export const promptAsk = z.object({ sessionId, id: promptId }).strict();
export const promptUnask = z.object({ sessionId, id: promptId }).strict();
export const promptShow = z.object({ sessionId, id: promptId }).strict();
export const promptWithdraw = z.object({ sessionId }).strict();
export const promptCard = z.object({ sessionId }).strict();
export const cardId = z.string().regex(/^[a-z2-7]{10,40}$/, 'Not a card id.');
export const promptDismiss = z.object({ sessionId, cardId }).strict();

/** A prompt marked as asked: a snapshot, so later edits do not rewrite the session's history. */
export interface AskedPrompt {
	promptId: string;
	text: string;
	phase: PromptPhase;
	askedAt: number;
}

/** The card as the coach sees it: what was shown, and who dismissed it. */
export interface ShownCard {
	cardId: string;
	promptId: string;
	text: string;
	shownAt: number;
	dismissedBy: { userId: string; name: string; at: number }[];
}

/** The card as a coachee sees it: the text and nothing else of the coach's panel. */
export interface CoacheeCard {
	sessionId: string;
	cardId: string;
	text: string;
}

export interface PromptDesk {
	/** The coach's own prompts, in the order they were written. */
	custom: Prompt[];
	favourites: string[];
	asked: AskedPrompt[];
	card: ShownCard | null;
	maxCustom: number;
}

/** A refused custom prompt names every field's problem, for the form to show inline. */
export type PromptFailure = Failure & { fields?: Partial<Record<PromptInputField, string>> };
export type PromptAck<T> = (result: { ok: true; value: T } | { ok: false; error: PromptFailure }) => void;

export interface PromptsClientEvents {
	'prompts:load': (msg: z.infer<typeof promptsLoad>, ack: Ack<PromptDesk>) => void;
	'prompts:create': (msg: z.infer<typeof promptCreate>, ack: PromptAck<Prompt>) => void;
	'prompts:update': (msg: z.infer<typeof promptUpdate>, ack: PromptAck<Prompt>) => void;
	'prompts:delete': (msg: z.infer<typeof promptDelete>, ack: Ack<true>) => void;
	'prompts:favourite': (msg: z.infer<typeof promptFavourite>, ack: Ack<true>) => void;
	'prompts:ask': (msg: z.infer<typeof promptAsk>, ack: Ack<AskedPrompt>) => void;
	'prompts:unask': (msg: z.infer<typeof promptUnask>, ack: Ack<true>) => void;
	'prompts:show': (msg: z.infer<typeof promptShow>, ack: Ack<ShownCard>) => void;
	'prompts:withdraw': (msg: z.infer<typeof promptWithdraw>, ack: Ack<true>) => void;
	/** Coachee: the card on screen now, if any (after joining or reconnecting). */
	'prompts:current-card': (msg: z.infer<typeof promptCard>, ack: Ack<CoacheeCard | null>) => void;
	/** Coachee: put the card away. */
	'prompts:dismiss': (msg: z.infer<typeof promptDismiss>, ack: Ack<true>) => void;
}

export interface PromptsServerEvents {
	/** To coachees: a card to show. */
	'prompts:card': (msg: CoacheeCard) => void;
	/** To coachees: the coach took the card back. */
	'prompts:card-cleared': (msg: { sessionId: string; cardId: string }) => void;
	/** To the coach: the card changed (shown, dismissed, taken back). */
	'prompts:card-state': (msg: { sessionId: string; card: ShownCard | null }) => void;
	/** To the coach's other tabs: something changed; load again. */
	'prompts:changed': (msg: { sessionId: string }) => void;
}
