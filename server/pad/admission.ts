/**
 * Whether an update may touch a live document, judged before it is applied:
 * its declared structure (inspectUpdate), the document's size, and the work
 * applying it would cause there (estimateApplyCost). A refusal carries the
 * close code, the words for the sender and what to log.
 */
import type * as Y from 'yjs';
import { limits } from '../config/index.ts';
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
}

/** A refusal, or the work the update is estimated to cause (in limits.pad.applyCost units). */
export function judgeUpdate(update: Uint8Array, ctx: AdmissionContext): { refusal: Refusal } | { cost: number } {
	const verdict = inspectUpdate(update, limits.pad);
	if (!verdict.ok) return { refusal: { code: verdict.malformed ? CloseCode.badMessage : CloseCode.updateRejected, reason: verdict.reason, log: 'pad update refused', detail: { reason: verdict.reason } } };
	if (ctx.bytes() + update.length > limits.pad.maxDocBytes && ctx.measure() + update.length > limits.pad.maxDocBytes) {
		return { refusal: { code: CloseCode.documentTooLarge, reason: 'This pad is full; start a new session to keep writing.', log: 'pad document full', detail: { docBytes: ctx.bytes() } } };
	}
	// Bounded by the budget itself: it stops counting as soon as the budget is passed.
	const cost = estimateApplyCost(ctx.doc, verdict.decoded, ctx.budget);
	if (!cost.ok) return { refusal: { code: CloseCode.updateRejected, reason: cost.reason, log: 'pad update refused: too much work to apply', detail: { cost: cost.cost, budget: ctx.budget.budget } } };
	return { cost: cost.cost };
}
