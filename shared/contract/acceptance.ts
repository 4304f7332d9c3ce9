/**
 * Accepting a contract version: each required party reviews it, types their
 * full name and ticks each key clause; the version is in force once everyone
 * required has accepted. A version moves one way only:
 *
 *   draft -> sent -> in force -> superseded
 *              \-> superseded   (a newer version was sent before this one was accepted)
 *
 * These rules are pure so the page can say the same thing the server
 * enforces; the server applies them inside a transaction.
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../result.ts';

export const CONTRACT_STATUSES = ['draft', 'sent', 'in_force', 'superseded'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const STATUS_WORDS: Record<ContractStatus, string> = {
	draft: 'Draft',
	sent: 'Waiting for acceptance',
	in_force: 'In force',
	superseded: 'Superseded'
};

/** The clauses each party ticks, one by one, before their acceptance counts. */
export const KEY_CLAUSES = {
	goals: 'I agree the goals and how they will be measured.',
	notTherapy: 'I understand that coaching is not therapy or counselling, and what happens when something is outside its remit.',
	confidentiality: 'I understand what stays confidential, its legal limits, and what the sponsor will see.',
	responsibility: 'I understand that the coach is responsible for the environment of the coaching, not for its outcome.',
	plan: 'I agree the plan: sessions, frequency, dates, and how to move or cancel a session.',
	expectations: 'I agree what we expect of each other.',
	coachingLog: 'I agree how my coach’s coaching log records me: by name, or by a label only, as this contract says.'
} as const;

export type KeyClause = keyof typeof KEY_CLAUSES;
export const KEY_CLAUSE_IDS = Object.keys(KEY_CLAUSES) as KeyClause[];

export const acceptanceForm = z.object({
	typedName: z.string({ error: 'Type your full name to accept.' }).trim().min(1, 'Type your full name to accept.').max(100, 'Use at most 100 characters.'),
	ticked: z
		.array(z.enum(KEY_CLAUSE_IDS as [KeyClause, ...KeyClause[]]))
		.default([])
		.refine((t) => KEY_CLAUSE_IDS.every((k) => t.includes(k)), 'Tick every key clause to accept.')
});

export type AcceptanceForm = z.infer<typeof acceptanceForm>;

/** Names compare without case, accents' composition or spacing differences: "  sam  o'neil" is "Sam O'Neil". */
export function sameName(typed: string, accountName: string): boolean {
	const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase('en-GB').replace(/\s+/g, ' ').trim();
	return norm(typed) === norm(accountName);
}

export interface VersionState {
	status: ContractStatus;
	/** Who must accept: the coach and every coachee who is a member when it was sent. */
	required: string[];
	accepted: string[];
}

/** May this person accept this version now? */
export function mayAccept(v: VersionState, userId: string, typedName: string, accountName: string): Result<null> {
	if (v.status === 'draft') return fail('conflict', 'This version is still a draft; it can be accepted once the coach sends it.');
	if (v.status === 'superseded') return fail('gone', 'A newer version of this contract has replaced this one. Review the current version instead.');
	if (v.status === 'in_force') return fail('conflict', 'This version is already in force.');
	if (!v.required.includes(userId)) return fail('forbidden', 'Only the people this contract is between can accept it.');
	if (v.accepted.includes(userId)) return fail('conflict', 'You have already accepted this version.');
	if (!sameName(typedName, accountName)) return fail('invalid_input', `Type your full name as it is on your account (${accountName}).`, 'typedName');
	return ok(null);
}

/** After an acceptance: in force once everyone required has accepted. */
export function statusAfter(v: VersionState, acceptedBy: string): ContractStatus {
	const accepted = new Set([...v.accepted, acceptedBy]);
	return v.required.every((u) => accepted.has(u)) ? 'in_force' : 'sent';
}
