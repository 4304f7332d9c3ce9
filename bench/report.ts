// Writes one benchmark's section of docs/benchmarks.md: replaces the section
// under its heading (up to the next second-level heading) or appends it, and
// leaves every other benchmark's section as it is.
import { readFile, writeFile } from 'node:fs/promises';

export const BENCHMARKS_FILE = new URL('../docs/benchmarks.md', import.meta.url);

export async function writeBenchmarkSection(heading: string, section: string, file: URL = BENCHMARKS_FILE): Promise<void> {
	let current = '# Benchmarks\n';
	try {
		current = await readFile(file, 'utf8');
	} catch {
		// First benchmark written on this checkout: start the file.
	}
	const start = current.indexOf(heading);
	let updated: string;
	if (start === -1) updated = `${current.trimEnd()}\n\n${section}`;
	else {
		const after = current.slice(start + heading.length);
		const next = after.search(/^## /m);
		const end = next === -1 ? current.length : start + heading.length + next;
		updated = `${current.slice(0, start)}${section.trimEnd()}\n${next === -1 ? '' : '\n'}${current.slice(end)}`;
	}
	await writeFile(file, `${updated.trimEnd()}\n`);
}

/** Mulberry32, a small seeded generator: every run of a benchmark measures the same generated data. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
