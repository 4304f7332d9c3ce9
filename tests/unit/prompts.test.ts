import { describe, expect, it } from 'vitest';
import libraryJson from '../../shared/prompts/library.json' with { type: 'json' };
import {
	PHASE_LABELS,
	PROMPT_PHASES,
	PROMPT_TEXT_MAX,
	PROMPT_THEMES,
	PromptSearchIndex,
	THEME_LABELS,
	createPromptSearch,
	customPromptInputSchema,
	findDuplicatePrompt,
	loadLibrary,
	normalisePromptText,
	promptLibrarySchema,
	tokenizePrompt,
	validateCustomPrompt
} from '../../shared/prompts/index.ts';
import type { Prompt } from '../../shared/prompts/index.ts';
import { suggestPhases } from '../../shared/prompts/timing.ts';

const ids = (hits: readonly { prompt: Prompt }[]): string[] => hits.map((hit) => hit.prompt.id);

function custom(id: string, text: string, phase: Prompt['phase'] = 'goal', themes: Prompt['themes'] = []): Prompt {
	return { id, text, phase, themes };
}

// A small index whose scores we can reason about, apart from the library's wording.
function smallIndex(prompts: Prompt[], favourites: string[] = []): PromptSearchIndex {
	return new PromptSearchIndex(prompts, { phaseOrder: PROMPT_PHASES, favourites });
}

describe('prompt library', () => {
	const library = loadLibrary();

	it('passes its schema', () => {
		expect(promptLibrarySchema.safeParse(libraryJson).success).toBe(true);
	});

	it('holds at least 150 prompts, at least 12 per phase, each theme used', () => {
		expect(library.length).toBeGreaterThanOrEqual(150);
		for (const phase of PROMPT_PHASES) {
			expect(library.filter((p) => p.phase === phase).length, phase).toBeGreaterThanOrEqual(12);
		}
		for (const theme of PROMPT_THEMES) {
			expect(library.some((p) => p.themes.includes(theme)), theme).toBe(true);
		}
	});

	it('has unique ids that start with their phase, and unique texts', () => {
		expect(new Set(library.map((p) => p.id)).size).toBe(library.length);
		expect(new Set(library.map((p) => normalisePromptText(p.text))).size).toBe(library.length);
		for (const prompt of library) expect(prompt.id.startsWith(`${prompt.phase}-`)).toBe(true);
	});

	it('is stored in session order', () => {
		const ranks = library.map((p) => PROMPT_PHASES.indexOf(p.phase));
		expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
	});

	it('asks the scoping questions of the practice', () => {
		const scoping = library.filter((p) => p.phase === 'scoping').map((p) => p.text);
		expect(scoping).toContain('What is happening right now?');
		expect(scoping).toContain('What would you like to have happen?');
		expect(scoping.some((text) => /automatic/i.test(text))).toBe(true);
	});

	it('labels every phase and theme', () => {
		for (const phase of PROMPT_PHASES) expect(PHASE_LABELS[phase]).toBeTruthy();
		for (const theme of PROMPT_THEMES) expect(THEME_LABELS[theme]).toBeTruthy();
	});

	it('refuses a library with a repeated id or a wrong phase prefix', () => {
		const first = libraryJson.prompts[0]!;
		const repeated = { version: 1, prompts: [first, { ...first, text: 'Another question?' }] };
		expect(promptLibrarySchema.safeParse(repeated).success).toBe(false);
		const misfiled = { version: 1, prompts: [{ ...first, phase: 'close' }] };
		expect(promptLibrarySchema.safeParse(misfiled).success).toBe(false);
	});
});

describe('prompt search ranking', () => {
	it('ranks an exact word above a prefix above a typo', () => {
		// The typo prompt is the shortest, which alone would give it the best score.
		const index = smallIndex([
			custom('goal-typo', 'Which clan?'),
			custom('goal-prefix', 'What planning have you done so far for this?'),
			custom('goal-exact', 'What is your plan for the week ahead, and who else is in it?')
		]);
		const hits = index.search('plan');
		expect(ids(hits)).toEqual(['goal-exact', 'goal-prefix', 'goal-typo']);
		expect(hits.map((h) => h.match)).toEqual(['exact', 'prefix', 'typo']);
	});

	it('finds confidence prompts through a typo', () => {
		const hits = createPromptSearch().search('confidnce');
		expect(hits.length).toBeGreaterThan(5);
		for (const hit of hits.slice(0, 5)) {
			expect(hit.prompt.themes.includes('confidence') || /confiden/i.test(hit.prompt.text)).toBe(true);
		}
		expect(hits[0]!.match).toBe('typo');
	});

	it('on the library, puts exact matches before prefix matches before typos', () => {
		const index = createPromptSearch();
		const order = ['exact', 'prefix', 'typo'];
		for (const query of ['confidence', 'confid', 'carreer', 'sponsor', 'goal']) {
			const ranks = index.search(query).map((h) => order.indexOf(h.match));
			expect(ranks, query).toEqual([...ranks].sort((a, b) => a - b));
		}
		expect(index.search('confidence')[0]!.match).toBe('exact');
		expect(index.search('confid')[0]!.match).toBe('prefix');
	});

	it('allows one typo from 4 letters, two from 8, none below 4', () => {
		const index = smallIndex([custom('goal-time', 'What time do you have?'), custom('goal-conf', 'What is your confidence today?')]);
		expect(ids(index.search('tume'))).toEqual(['goal-time']);
		expect(ids(index.search('tme'))).toEqual([]);
		expect(ids(index.search('confdnce'))).toEqual(['goal-conf']);
		expect(ids(index.search('cnfdnce'))).toEqual([]);
	});

	it('ranks prompts matching more of the query first', () => {
		const index = createPromptSearch();
		const [first] = index.search('sponsor expect');
		expect(first!.prompt.id).toBe('contracting-sponsor-expectations');
	});

	it('finds prompts by their theme and phase names', () => {
		const index = createPromptSearch();
		expect(index.search('wellbeing').every((h) => h.prompt.themes.includes('wellbeing'))).toBe(true);
		expect(index.search('way forward', { limit: 5 }).every((h) => h.prompt.phase === 'will')).toBe(true);
	});

	it('raises favourites slightly, never above a better match', () => {
		const index = smallIndex([
			custom('goal-a', 'What does progress look like?'),
			custom('goal-b', 'What would progress look like?'),
			custom('goal-c', 'What would progressing feel like?')
		]);
		expect(ids(index.search('progress')).slice(0, 2)).toEqual(['goal-a', 'goal-b']);
		index.setFavourite('goal-b', true);
		index.setFavourite('goal-c', true);
		const hits = index.search('progress');
		expect(ids(hits)).toEqual(['goal-b', 'goal-a', 'goal-c']);
		expect(hits[0]!.favourite).toBe(true);
	});

	it('matches one or two letters as the start of a word, never as a typo', () => {
		const index = smallIndex([custom('goal-we', 'Where are we now?'), custom('goal-wh', 'Who helps?'), custom('goal-x', 'Is it ok?')]);
		expect(ids(index.search('w')).sort()).toEqual(['goal-we', 'goal-wh']);
		expect(index.search('we')[0]!).toMatchObject({ match: 'exact' });
		expect(ids(index.search('we'))).toEqual(['goal-we']);
		expect(ids(index.search('ix'))).toEqual([]);
	});

	it('lets a short word refine a longer one without finding prompts by itself', () => {
		const index = smallIndex([
			custom('goal-a', 'What would help most?'),
			custom('goal-b', 'What would you want?'),
			custom('goal-c', 'Any yes or no?')
		]);
		// "y" alone finds goal-b and goal-c; beside "would" it only lifts goal-b.
		expect(ids(index.search('y')).sort()).toEqual(['goal-b', 'goal-c']);
		expect(ids(index.search('would y'))).toEqual(['goal-b', 'goal-a']);
	});

	it('returns the same best prompts with a limit as without', () => {
		const index = createPromptSearch();
		for (const query of ['what', 'w', 'confid', 'what would you l', 'carreer']) {
			expect(ids(index.search(query, { limit: 7 })), query).toEqual(ids(index.search(query)).slice(0, 7));
		}
	});

	it('forgets remembered lookups when the prompts change', () => {
		const index = createPromptSearch();
		expect(ids(index.search('orchard'))).toEqual([]);
		index.addCustom(custom('c1', 'What would the orchard need?'));
		expect(ids(index.search('orchard'))).toEqual(['c1']);
		index.forgetLookups();
		expect(ids(index.search('orchrd'))).toEqual(['c1']);
	});

	it('treats punctuation, case and accents as the same word', () => {
		expect(tokenizePrompt("What's the Coach’s rôle? Don't")).toEqual(['what', 'the', 'coach', 'role', 'dont']);
	});
});

describe('prompt search filters', () => {
	const index = createPromptSearch();
	const library = loadLibrary();

	it('lists everything in library order for an empty query', () => {
		expect(ids(index.search(''))).toEqual(library.map((p) => p.id));
		expect(ids(index.search('   ?! '))).toEqual(library.map((p) => p.id));
		expect(index.search('', { limit: 3 })).toHaveLength(3);
	});

	it('filters by phase', () => {
		const contracting = index.search('', { phase: 'contracting' });
		expect(contracting.length).toBe(library.filter((p) => p.phase === 'contracting').length);
		expect(index.search('what', { phase: 'close' }).every((h) => h.prompt.phase === 'close')).toBe(true);
		const two = index.search('', { phase: ['goal', 'will'] });
		expect(new Set(two.map((h) => h.prompt.phase))).toEqual(new Set(['goal', 'will']));
	});

	it('filters by any of the chosen themes', () => {
		const hits = index.search('', { themes: ['career', 'leadership'] });
		expect(hits.length).toBeGreaterThan(0);
		expect(hits.every((h) => h.prompt.themes.some((t) => t === 'career' || t === 'leadership'))).toBe(true);
		const both = index.search('what', { phase: 'goal', themes: ['career'] });
		expect(both.every((h) => h.prompt.phase === 'goal' && h.prompt.themes.includes('career'))).toBe(true);
	});

	it('can list favourites only', () => {
		const own = createPromptSearch([], { favourites: ['close-summary', 'goal-focus-today'] });
		expect(ids(own.search('', { favouritesOnly: true }))).toEqual(['goal-focus-today', 'close-summary']);
	});
});

describe('custom prompts in the index', () => {
	it('adds a custom prompt into its phase, after the library prompts of that phase', () => {
		const index = createPromptSearch([custom('c1', 'What would your mentor at the bakery say?', 'options')]);
		const options = ids(index.search('', { phase: 'options' }));
		expect(options.at(-1)).toBe('c1');
		expect(ids(index.search('bakery'))).toEqual(['c1']);
		expect(index.search('bakery')[0]!.custom).toBe(true);
		const goalIds = ids(index.search('', { phase: 'goal' }));
		expect(goalIds).not.toContain('c1');
	});

	it('updates a custom prompt in place', () => {
		const index = createPromptSearch([custom('c1', 'What does the bakery need?', 'goal'), custom('c2', 'Second one?', 'goal')]);
		index.updateCustom(custom('c1', 'What does the orchard need?', 'goal'));
		expect(ids(index.search('bakery'))).toEqual([]);
		expect(ids(index.search('orchard'))).toEqual(['c1']);
		expect(ids(index.search('', { phase: 'goal' })).slice(-2)).toEqual(['c1', 'c2']);
		index.updateCustom(custom('c1', 'What does the orchard need?', 'close'));
		expect(ids(index.search('', { phase: 'close' })).at(-1)).toBe('c1');
		expect(ids(index.search('', { phase: 'goal' }))).not.toContain('c1');
	});

	it('removes a custom prompt', () => {
		const index = createPromptSearch([custom('c1', 'What does the bakery need?')]);
		const size = index.size;
		index.removeCustom('c1');
		expect(index.size).toBe(size - 1);
		expect(index.has('c1')).toBe(false);
		expect(ids(index.search('bakery'))).toEqual([]);
		expect(ids(index.search(''))).not.toContain('c1');
		index.addCustom(custom('c1', 'What does the bakery need now?'));
		expect(ids(index.search('bakery'))).toEqual(['c1']);
	});

	it('keeps library prompts read-only and ids unique', () => {
		const index = createPromptSearch();
		expect(() => index.removeCustom('scoping-happening-now')).toThrow(/library/);
		expect(() => index.updateCustom(custom('nope', 'Anything?'))).toThrow(/No prompt/);
		expect(() => index.addCustom(custom('scoping-happening-now', 'Again?'))).toThrow(/already/);
	});
});

describe('custom prompt validation', () => {
	const mine = [custom('c1', 'What would make today count?')];

	it('accepts and trims a well-formed prompt', () => {
		const result = validateCustomPrompt({ text: '  What matters most now?  ', phase: 'goal' }, mine);
		expect(result).toEqual({ ok: true, value: { text: 'What matters most now?', phase: 'goal', themes: [], mentoring: undefined } });
	});

	it('asks for text when it is empty or blank', () => {
		for (const text of ['', '    ', undefined]) {
			const result = validateCustomPrompt({ text, phase: 'goal' });
			expect(result).toEqual({ ok: false, errors: { text: 'Write the prompt.' } });
		}
	});

	it('refuses too short and oversized text', () => {
		expect(validateCustomPrompt({ text: ' ok ', phase: 'goal' })).toEqual({
			ok: false,
			errors: { text: 'Write at least 3 characters.' }
		});
		expect(validateCustomPrompt({ text: 'a'.repeat(PROMPT_TEXT_MAX), phase: 'goal' }).ok).toBe(true);
		expect(validateCustomPrompt({ text: 'a'.repeat(PROMPT_TEXT_MAX + 1), phase: 'goal' })).toEqual({
			ok: false,
			errors: { text: 'Keep the prompt to 500 characters or fewer.' }
		});
	});

	it('requires a known phase and known themes', () => {
		const missing = validateCustomPrompt({ text: 'What now?' });
		expect(missing).toEqual({ ok: false, errors: { phase: 'Choose the phase of the session this prompt belongs to.' } });
		const unknown = validateCustomPrompt({ text: 'What now?', phase: 'middle', themes: ['money'] });
		expect(unknown.ok).toBe(false);
		if (!unknown.ok) {
			expect(unknown.errors.phase).toMatch(/^Choose one of the phases/);
			expect(unknown.errors.themes).toMatch(/^Choose themes from/);
		}
		const twice = validateCustomPrompt({ text: 'What now?', phase: 'goal', themes: ['time', 'time'] });
		expect(twice).toEqual({ ok: false, errors: { themes: 'Each theme can be chosen once.' } });
	});

	it('refuses a duplicate of one of the coach’s prompts, whatever the case and spacing', () => {
		const result = validateCustomPrompt({ text: '  what WOULD make\ttoday   count? ', phase: 'close' }, mine);
		expect(result).toEqual({ ok: false, errors: { text: 'You already have a prompt with this text.' } });
		expect(findDuplicatePrompt('WHAT would make today count?', mine)).toBe(mine[0]);
		expect(findDuplicatePrompt('What would make tomorrow count?', mine)).toBeUndefined();
		expect(normalisePromptText('  A\n b  ')).toBe('a b');
	});

	it('gives the schema the same messages', () => {
		const parsed = customPromptInputSchema.safeParse({ text: '', phase: 'goal' });
		expect(parsed.success).toBe(false);
		expect(parsed.error?.issues.map((i) => i.message)).toEqual(['Write the prompt.']);
	});
});

describe('phase suggestions as the session runs', () => {
	const start = Date.UTC(2026, 10, 23, 9, 0);
	const at = (minutes: number) => start + minutes * 60_000;
	const hour = { startedAt: start, durationMinutes: 60 };

	it('opens with scoping and contracting', () => {
		expect(suggestPhases({ startedAt: null, durationMinutes: 60 }, at(0)).phases).toEqual(['scoping', 'contracting']);
		expect(suggestPhases(hour, at(3)).phases).toEqual(['scoping', 'contracting']);
	});

	it('moves through goal and reality to options and the way forward', () => {
		expect(suggestPhases(hour, at(12)).phases).toEqual(['goal', 'reality']);
		expect(suggestPhases(hour, at(35)).phases).toEqual(['options', 'will']);
	});

	it('suggests reflection and closing in the last ten minutes, closing after the planned end', () => {
		expect(suggestPhases(hour, at(49)).phases).toEqual(['options', 'will']);
		const closing = suggestPhases(hour, at(52));
		expect(closing.phases).toEqual(['reflection', 'close', 'feedback']);
		expect(closing.reason).toBe('Last 8 min: reflect and close');
		expect(suggestPhases(hour, at(65)).phases).toEqual(['close', 'feedback']);
	});

	it('keeps the edges short in a short session', () => {
		const short = { startedAt: start, durationMinutes: 20 };
		expect(suggestPhases(short, at(6)).phases).toEqual(['goal', 'reality']);
		expect(suggestPhases(short, at(16)).phases).toEqual(['reflection', 'close', 'feedback']);
	});
});
