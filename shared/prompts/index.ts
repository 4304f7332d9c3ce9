// The coach's prompt library: vocabulary, validation and search.
// This is the only module the app should import from shared/prompts.
import { z } from 'zod';
import libraryJson from './library.json' with { type: 'json' };
import { PromptSearchIndex } from './search.ts';
import type { PromptSearchOptions } from './search.ts';

export { PromptSearchIndex, tokenizePrompt } from './search.ts';
export type { PromptFilter, PromptHit, PromptMatch, PromptSearchOptions } from './search.ts';

// The order a session usually runs in; the prompt panel lists phases this way.
export const PROMPT_PHASES = [
	'scoping',
	'contracting',
	'goal',
	'reality',
	'options',
	'will',
	'reflection',
	'close',
	'feedback'
] as const;
export type PromptPhase = (typeof PROMPT_PHASES)[number];

export const PROMPT_THEMES = [
	'confidence',
	'career',
	'performance',
	'relationships',
	'time',
	'change',
	'wellbeing',
	'leadership',
	'learning'
] as const;
export type PromptTheme = (typeof PROMPT_THEMES)[number];

export const PHASE_LABELS: Readonly<Record<PromptPhase, string>> = {
	scoping: 'Scoping',
	contracting: 'Contracting',
	goal: 'Goal',
	reality: 'Reality',
	options: 'Options',
	will: 'Way forward',
	reflection: 'Reflection',
	close: 'Close',
	feedback: 'Feedback'
};

export const THEME_LABELS: Readonly<Record<PromptTheme, string>> = {
	confidence: 'Confidence',
	career: 'Career',
	performance: 'Performance',
	relationships: 'Relationships',
	time: 'Time',
	change: 'Change',
	wellbeing: 'Wellbeing',
	leadership: 'Leadership',
	learning: 'Learning'
};

export interface Prompt {
	readonly id: string;
	readonly text: string;
	readonly phase: PromptPhase;
	readonly themes: readonly PromptTheme[];
	/** How a mentor, who shares their own experience, would ask it instead. */
	readonly mentoring?: string;
}

// The panel lists this many matches at most: a coach reads a handful during
// a call, and a short list keeps each keystroke cheap (bench/prompts.ts).
export const PROMPT_RESULTS_SHOWN = 40;

const PROMPT_TEXT_MIN = 3;
export const PROMPT_TEXT_MAX = 500;

const phaseSchema = z.enum(PROMPT_PHASES, {
	error: (issue) =>
		issue.input === undefined || issue.input === ''
			? 'Choose the phase of the session this prompt belongs to.'
			: `Choose one of the phases: ${PROMPT_PHASES.join(', ')}.`
});

const themesSchema = z
	.array(z.enum(PROMPT_THEMES, { error: `Choose themes from: ${PROMPT_THEMES.join(', ')}.` }))
	.max(PROMPT_THEMES.length)
	.refine((themes) => new Set(themes).size === themes.length, { error: 'Each theme can be chosen once.' });

const promptTextSchema = z
	.string({ error: 'Write the prompt.' })
	.trim()
	// abort: an empty box should get one message, not "too short" as well.
	.min(1, { error: 'Write the prompt.', abort: true })
	.min(PROMPT_TEXT_MIN, { error: `Write at least ${PROMPT_TEXT_MIN} characters.` })
	.max(PROMPT_TEXT_MAX, { error: `Keep the prompt to ${PROMPT_TEXT_MAX} characters or fewer.` });

const mentoringTextSchema = z
	.string()
	.trim()
	.max(PROMPT_TEXT_MAX, { error: `Keep the mentoring version to ${PROMPT_TEXT_MAX} characters or fewer.` });

// Library ids read "<phase>-<slug>" so a prompt's phase is visible in logs and URLs.
const LIBRARY_ID = /^[a-z]+-[a-z0-9]+(?:-[a-z0-9]+)*$/;

const libraryPromptSchema = z
	.strictObject({
		id: z.string().regex(LIBRARY_ID, { error: 'Library ids look like "<phase>-<slug>".' }),
		text: promptTextSchema,
		phase: phaseSchema,
		themes: themesSchema,
		mentoring: mentoringTextSchema.min(PROMPT_TEXT_MIN).optional()
	})
	.refine((prompt) => prompt.id.startsWith(`${prompt.phase}-`), {
		error: 'A library id starts with its phase.',
		path: ['id']
	});

export const promptLibrarySchema = z
	.strictObject({
		version: z.literal(1),
		prompts: z.array(libraryPromptSchema)
	})
	.superRefine((library, ctx) => {
		const seenIds = new Set<string>();
		const seenTexts = new Set<string>();
		library.prompts.forEach((prompt, index) => {
			if (seenIds.has(prompt.id)) {
				ctx.addIssue({ code: 'custom', message: `Duplicate id ${prompt.id}.`, path: ['prompts', index, 'id'] });
			}
			const key = normalisePromptText(prompt.text);
			if (seenTexts.has(key)) {
				ctx.addIssue({ code: 'custom', message: `Duplicate text in ${prompt.id}.`, path: ['prompts', index, 'text'] });
			}
			seenIds.add(prompt.id);
			seenTexts.add(key);
		});
	});

// Unknown keys are stripped, not refused: forms may carry ids or flags along.
/** What a coach types into the "add my own prompt" form. */
export const customPromptInputSchema = z.object({
	text: promptTextSchema,
	phase: phaseSchema,
	themes: themesSchema.default([]),
	mentoring: mentoringTextSchema
		.optional()
		.transform((text) => (text ? text : undefined))
});
export type CustomPromptInput = z.output<typeof customPromptInputSchema>;

/**
 * The form of a text used to spot duplicates: case and runs of whitespace
 * do not make a prompt different.
 */
export function normalisePromptText(text: string): string {
	return text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLocaleLowerCase('en');
}

/** The coach's existing prompt with the same text, if there is one. */
export function findDuplicatePrompt<T extends { readonly text: string }>(
	text: string,
	existing: Iterable<T>
): T | undefined {
	const key = normalisePromptText(text);
	for (const prompt of existing) {
		if (normalisePromptText(prompt.text) === key) return prompt;
	}
	return undefined;
}

export type PromptInputField = 'text' | 'phase' | 'themes' | 'mentoring';
export type PromptInputResult =
	| { readonly ok: true; readonly value: CustomPromptInput }
	| { readonly ok: false; readonly errors: Partial<Record<PromptInputField, string>> };

export const DUPLICATE_PROMPT_MESSAGE = 'You already have a prompt with this text.';

/**
 * Validates a coach's custom prompt against the schema and against the
 * prompts that coach already has (pass the one being edited out of `existing`).
 * Returns one message per field, ready to show next to the form inputs.
 */
export function validateCustomPrompt(
	input: unknown,
	existing: Iterable<{ readonly text: string }> = []
): PromptInputResult {
	const parsed = customPromptInputSchema.safeParse(input);
	if (!parsed.success) {
		const errors: Partial<Record<PromptInputField, string>> = {};
		for (const issue of parsed.error.issues) {
			const field = (issue.path[0] ?? 'text') as PromptInputField;
			errors[field] ??= issue.message;
		}
		return { ok: false, errors };
	}
	if (findDuplicatePrompt(parsed.data.text, existing)) {
		return { ok: false, errors: { text: DUPLICATE_PROMPT_MESSAGE } };
	}
	return { ok: true, value: parsed.data };
}

let library: readonly Prompt[] | undefined;

/** The built-in prompts, validated once, in library order. */
export function loadLibrary(): readonly Prompt[] {
	library ??= Object.freeze(
		promptLibrarySchema.parse(libraryJson).prompts.map((prompt) => Object.freeze(prompt))
	);
	return library;
}

/**
 * A search index over the built-in library plus the coach's own prompts.
 * Custom prompts can then be added, updated and removed one at a time.
 */
export function createPromptSearch(
	custom: Iterable<Prompt> = [],
	options: Omit<PromptSearchOptions, 'phaseOrder' | 'tagsOf'> = {}
): PromptSearchIndex {
	const index = new PromptSearchIndex(loadLibrary(), {
		...options,
		phaseOrder: PROMPT_PHASES,
		// Labels make "way forward" find will-phase prompts, not only "will".
		tagsOf: (prompt) =>
			[PHASE_LABELS[prompt.phase], ...prompt.themes.map((theme) => THEME_LABELS[theme])].join(' ')
	});
	for (const prompt of custom) index.addCustom(prompt);
	return index;
}
