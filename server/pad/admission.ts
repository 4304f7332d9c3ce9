/**
 * Whether an update may touch a live document, judged before it is applied:
 * its declared structure (inspectUpdate), the document's size, and the work
 * applying it would cause there (estimateApplyCost). A refusal carries the
 * close code, the words for the sender and what to log.
 */
import type * as Y from 'yjs';
import { limits } from '../config/index.ts';
import { running } from '../health/index.ts';
import { CloseCode } from './close-codes.ts';
import { inspectUpdate } from './update-check.ts';
import { estimateApplyCost, type ApplyCostWeights } from './apply-cost.ts';

export interface Refusal {
	code: number;
	reason: string;
	log: string;
	detail: Record<string, unknown>;
}

export interface AdmissionContext {
	doc: Y.Doc;
	/** Bytes accepted so far (an estimate that only grows between exact measurements). */
	bytes(): number;
	/** Measures the document exactly, and returns the new figure. */
	measure(): number;
	budget: ApplyCostWeights;
	label: Record<string, unknown>;
}

export function judgeUpdate(update: Uint8Array, ctx: AdmissionContext): Refusal | null {
	const verdict = inspectUpdate(update, limits.pad);
	if (!verdict.ok) return { code: verdict.malformed ? CloseCode.badMessage : CloseCode.updateRejected, reason: verdict.reason, log: 'pad update refused', detail: { reason: verdict.reason } };
	if (ctx.bytes() + update.length > limits.pad.maxDocBytes && ctx.measure() + update.length > limits.pad.maxDocBytes) {
		return { code: CloseCode.documentTooLarge, reason: 'This pad is full; start a new session to keep writing.', log: 'pad document full', detail: { docBytes: ctx.bytes() } };
	}
	const cost = running('pad apply cost', () => estimateApplyCost(ctx.doc, verdict.decoded, ctx.budget), ctx.label);
	if (!cost.ok) return { code: CloseCode.updateRejected, reason: cost.reason, log: 'pad update refused: too much work to apply', detail: { cost: cost.cost, budget: ctx.budget.budget } };
	return null;
}
