/**
 * The coach's practice (issue 14, part 3), shapes both sides use: the hours
 * log as a page shows it, the columns of its CSV (those of ICF's client
 * coaching log), and the forms for an engagement's log settings and for a
 * supervision note.
 */
import { z } from 'zod';

export const FUNDINGS = ['paid', 'pro_bono'] as const;
export type Funding = (typeof FUNDINGS)[number];
export const FUNDING_WORDS: Record<Funding, string> = { paid: 'Paid', pro_bono: 'Pro bono' };

/** What ICF's client coaching log asks for, in its order; `Organisation` is ours, for internal and third-party clients. */
export const HOURS_CSV_COLUMNS = ['Client', 'Contact email', 'Individual/Group', 'Number in group', 'Organisation', 'Start date', 'End date', 'Paid hours', 'Pro bono hours'] as const;

/** One session held, as the log counts it: from the moment the room started to the moment it ended. */
export interface HeldSession {
	sessionId: string;
	number: number;
	startedAt: number;
	endedAt: number;
	durationMs: number;
}

/** A session's length as people say it: "45 s", "52 min", "1 h 05 min". */
export function durationWords(ms: number): string {
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.round(seconds / 60);
	return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** One engagement's line in the coach's log. `name` and `email` are null unless the coachee agreed to be listed. */
export interface HoursLine {
	engagementId: string;
	title: string;
	/** "Client 3": stable, from the order the coach's engagements were created. */
	label: string;
	listedByName: boolean;
	name: string | null;
	email: string | null;
	group: boolean;
	coachees: number;
	funding: Funding;
	/** True until the coach has said paid or pro bono (then the line counts as paid). */
	fundingAssumed: boolean;
	organisation: string;
	startDate: string | null;
	endDate: string | null;
	sessions: HeldSession[];
	hours: number;
}

export interface HoursLog {
	lines: HoursLine[];
	paidHours: number;
	proBonoHours: number;
	timeZone: string;
}

/** Hours as the log states them: two decimals (36 seconds), as credentialing logs are kept. */
export const roundHours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;

export const engagementLogForm = (organisationChars: number) =>
	z.object({
		funding: z.enum(FUNDINGS, { error: 'Choose paid or pro bono.' }),
		organisation: z
			.string()
			.trim()
			.max(organisationChars, `Use at most ${organisationChars} characters for the organisation.`)
			.transform((s) => s.replace(/\s+/g, ' '))
			.default('')
	});

export const supervisionNoteForm = (noteChars: number) =>
	z.object({
		body: z
			.string({ error: 'Write the note.' })
			.trim()
			.min(1, 'Write the note.')
			.max(noteChars, `Keep a note to ${noteChars.toLocaleString('en-GB')} characters; split a longer reflection into two notes.`)
	});

export interface SupervisionNote {
	id: string;
	body: string;
	createdAt: number;
	updatedAt: number;
}
