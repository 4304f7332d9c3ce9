// Prompt search speed as a coach feels it: every keystroke in the prompt
// panel's search box runs one search over the library plus a coach's own
// prompts. Run with `node bench/prompts.ts` (Node 24 strips the types).
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PROMPT_PHASES, PROMPT_RESULTS_SHOWN, PROMPT_THEMES, createPromptSearch, loadLibrary } from '../shared/prompts/index.ts';
import type { Prompt, PromptSearchIndex } from '../shared/prompts/index.ts';
import { seededRandom } from './report.ts';

const CUSTOM_PROMPTS = 1_000;
const ROUNDS = 5;
const REPORT = new URL('../docs/benchmarks.md', import.meta.url);
// One frame at 60 Hz: slower than this and typing in the panel feels sticky.
const FRAME_MS = 16;
// What the issue asks of a keystroke over library + 1,000 custom prompts.
const GOAL_MEDIAN_MS = 1;
const GOAL_P99_MS = 5;
const HEADING = '## Prompt search (`npm run bench:prompts`)';

// What coaches type mid-session, typos included: the search must forgive them.
const QUERIES = [
	'confidence',
	'what would you like',
	'sponsor',
	'boundaries',
	'confidential',
	'smart goal',
	'next session',
	'learning points',
	'who will own',
	'by when',
	'feedback',
	'career',
	'promotion',
	'team',
	'difficult conversation',
	'time',
	'work life balance',
	'what else',
	'obstacles',
	'support',
	'way forward',
	'strengths',
	'delegate',
	'energy',
	'measure progress',
	'therapy',
	'confidnce',
	'carreer',
	'relatinship',
	'leadership style'
];

// Deterministic, so every run searches the same prompts.
const random = seededRandom;

// Custom prompts in the way coaches write their own: a question stem about
// something from their practice, often with a client-specific detail.
function customPrompts(count: number): Prompt[] {
	const next = random(500);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
	const stems = ['What', 'How', 'Who', 'When', 'Which', 'Where', 'What else'];
	const verbs = ['would help with', 'gets in the way of', 'matters most about', 'would change', 'have you noticed about', 'do you want from', 'could you try with', 'is missing from', 'would your manager say about', 'did you learn from'];
	const subjects = ['your board presentation', 'the quarterly budget', 'the new rota', 'your client pitch', 'the restructure', 'your first hundred days', 'the merger', 'your return from leave', 'the night shift handover', 'your volunteer team', 'the grant application', 'the product launch', 'your apprentices', 'the stakeholder map', 'the hiring panel', 'your sabbatical plans', 'the audit findings', 'the customer complaints', 'your public speaking', 'the partnership agreement'];
	const tails = ['', ' this month', ' before the review', ' with your deputy', ' for the sponsor', ' next quarter', ' on a hard day', ' when you feel stuck'];
	// A coach cannot save the same text twice, so neither does the benchmark.
	const byText = new Map<string, Prompt>();
	while (byText.size < count) {
		const text = `${pick(stems)} ${pick(verbs)} ${pick(subjects)}${pick(tails)}?`;
		const themes = [...new Set([pick(PROMPT_THEMES), pick(PROMPT_THEMES)])];
		if (!byText.has(text)) byText.set(text, { id: `custom-${byText.size}`, text, phase: pick(PROMPT_PHASES), themes });
	}
	return [...byText.values()];
}

function keystrokes(queries: readonly string[]): string[] {
	return queries.flatMap((query) => Array.from(query, (_, i) => query.slice(0, i + 1)));
}

// The simplest thing that could work: the reference the index has to beat
// (or at least not lose badly to) while also ranking and forgiving typos.
function naiveFilter(prompts: readonly Prompt[]): (query: string) => Prompt[] {
	const texts = prompts.map((prompt) => ({ prompt, lower: prompt.text.toLowerCase() }));
	return (query) => {
		const needle = query.trim().toLowerCase();
		return texts.filter((entry) => entry.lower.includes(needle)).map((entry) => entry.prompt);
	};
}

// `fresh` runs before each new query (its first keystroke), outside the
// timing: the index remembers lookups of words typed so far, and a query
// typed again in a later round must not find its words already looked up.
function timeEach(typed: readonly string[], search: (query: string) => unknown, rounds: number, fresh: () => void = () => undefined): number[] {
	const times: number[] = [];
	let sink = 0;
	for (let round = 0; round < rounds; round++) {
		for (const query of typed) {
			if (query.length === 1) fresh();
			const start = performance.now();
			const found = search(query);
			times.push(performance.now() - start);
			sink += Array.isArray(found) ? found.length : 0;
		}
	}
	if (sink < 0) console.log(sink); // keeps the results alive
	return times;
}

interface Summary {
	median: number;
	p90: number;
	p99: number;
	max: number;
}

function summarise(times: readonly number[]): Summary {
	const sorted = [...times].sort((a, b) => a - b);
	const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
	return { median: at(50), p90: at(90), p99: at(99), max: sorted.at(-1)! };
}

const ms = (value: number): string => value.toFixed(3);

async function writeReport(section: string): Promise<void> {
	let current = '';
	try {
		current = await readFile(REPORT, 'utf8');
	} catch {
		current = '# Benchmarks\n';
	}
	const start = current.indexOf(HEADING);
	let updated: string;
	if (start === -1) {
		updated = `${current.trimEnd()}\n\n${section}`;
	} else {
		// The section runs until the next second-level heading.
		const after = current.slice(start + HEADING.length);
		const nextHeading = after.search(/^## /m);
		const end = nextHeading === -1 ? current.length : start + HEADING.length + nextHeading;
		updated = `${current.slice(0, start)}${section}${nextHeading === -1 ? '' : '\n'}${current.slice(end)}`;
	}
	await writeFile(REPORT, `${updated.trimEnd()}\n`);
}

async function main(): Promise<void> {
	const loadAverage = loadavg()[0]!.toFixed(2);
	const library = loadLibrary();
	const custom = customPrompts(CUSTOM_PROMPTS);

	const buildStart = performance.now();
	const index: PromptSearchIndex = createPromptSearch(custom);
	const buildMs = performance.now() - buildStart;

	const typed = keystrokes(QUERIES);
	// Every match, ranked: the heavier case. The panel asks for its first PROMPT_RESULTS_SHOWN.
	const search = (query: string) => index.search(query);
	const shown = (query: string) => index.search(query, { limit: PROMPT_RESULTS_SHOWN });
	const naive = naiveFilter([...library, ...custom]);

	// Warm-up: let the JIT compile both paths before anything is measured.
	const cold = () => index.forgetLookups();
	timeEach(typed, search, 1, cold);
	timeEach(typed, shown, 1, cold);
	timeEach(typed, naive, 1);
	const indexed = summarise(timeEach(typed, search, ROUNDS, cold));
	const panel = summarise(timeEach(typed, shown, ROUNDS, cold));
	const reference = summarise(timeEach(typed, naive, ROUNDS));
	const ratio = indexed.median / reference.median;

	const row = (name: string, s: Summary) => `| ${name} | ${ms(s.median)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} |`;
	const section = [
		HEADING,
		'',
		'Replays a coach typing 30 realistic queries (typos included) into the prompt panel,',
		'one search per keystroke, over the built-in library plus 1,000 generated custom prompts.',
		'Each query starts cold: the lookups the index remembers while a coach types are forgotten first.',
		'',
		`- Command: \`npm run bench:prompts\` (\`node bench/prompts.ts\`)`,
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`,
		// Tails (p99, max) move with whatever else the machine is doing.
		`- Machine: ${cpus().length} CPUs, load average ${loadAverage} at start`,
		`- Prompts: ${library.length} library + ${custom.length} custom = ${index.size}`,
		`- Keystrokes: ${typed.length} per round, ${ROUNDS} rounds after 1 warm-up round = ${typed.length * ROUNDS} timed searches`,
		`- Index build: ${ms(buildMs)} ms`,
		'',
		'| Search, per keystroke (ms) | median | p90 | p99 | max |',
		'| --- | --- | --- | --- | --- |',
		row('Index: exact, prefix and typo matches, all ranked', indexed),
		row(`Index, first ${PROMPT_RESULTS_SHOWN} as the panel shows them`, panel),
		row('Reference: naive `String.includes` filter, unranked', reference),
		'',
		`The index's median is ${ratio.toFixed(1)}x the naive filter's, measured in the same run. The naive`,
		'filter only finds the typed characters as one substring: no typos, no words out of order, no ranking.',
		`Budget: a keystroke should be answered within one frame (${FRAME_MS} ms); the p99 uses ${((indexed.p99 / FRAME_MS) * 100).toFixed(0)}% of it.`,
		`Goal (issue 5): median under ${GOAL_MEDIAN_MS} ms and p99 under ${GOAL_P99_MS} ms; this run ${indexed.median < GOAL_MEDIAN_MS && indexed.p99 < GOAL_P99_MS ? 'meets it' : 'MISSES it'}.`,
		'The RESULT line reports the all-ranked row.',
		'',
		'History: the first index (MiniSearch with a re-ranking pass) measured median 0.226 ms and',
		'p99 6.330 ms here: broad queries ("w", "what would you") scored every match in full. The',
		'index now keeps its own word postings, matches each query word against the vocabulary once',
		'while the coach types on, and sorts only the best results.',
		''
	].join('\n');
	await writeReport(section);

	console.log(`prompts: ${index.size}, keystrokes: ${typed.length} x ${ROUNDS} rounds, build ${ms(buildMs)} ms`);
	console.log(`index      median ${ms(indexed.median)} p90 ${ms(indexed.p90)} p99 ${ms(indexed.p99)} max ${ms(indexed.max)} ms`);
	console.log(`panel (${PROMPT_RESULTS_SHOWN})  median ${ms(panel.median)} p90 ${ms(panel.p90)} p99 ${ms(panel.p99)} max ${ms(panel.max)} ms`);
	console.log(`reference  median ${ms(reference.median)} p90 ${ms(reference.p90)} p99 ${ms(reference.p99)} max ${ms(reference.max)} ms`);
	console.log(`RESULT prompt_search_median_ms=${indexed.median.toFixed(4)} prompt_search_p99_ms=${indexed.p99.toFixed(4)}`);
}

await main();
