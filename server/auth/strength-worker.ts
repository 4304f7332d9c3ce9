/**
 * zxcvbn-ts in a worker thread: scoring a long password takes hundreds of
 * milliseconds of CPU, which must never stall the event loop every signed-in
 * person shares. Loads the dictionaries once, then answers { id, password,
 * inputs } with { id, score, warning, suggestions }.
 */
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations });

parentPort?.on('message', async (m: { id: number; password: string; inputs: string[] }) => {
	try {
		const r = await zxcvbn.check(m.password, m.inputs);
		parentPort?.postMessage({ id: m.id, score: r.score, warning: r.feedback.warning, suggestions: r.feedback.suggestions });
	} catch (err) {
		parentPort?.postMessage({ id: m.id, error: String(err) });
	}
});
