/** Your data: the account deletion form and what the engagement page shows of an erasure by agreement. */
import { z } from 'zod';

/** Typed to confirm that the account is to be deleted; compared without regard to case or surrounding spaces. */
export const DELETE_PHRASE = 'delete my account';

export const deleteAccountForm = z.object({
	password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(256, 'That password is too long.'),
	confirm: z
		.string({ error: `Type "${DELETE_PHRASE}" to confirm.` })
		.refine((v) => v.trim().toLowerCase() === DELETE_PHRASE, `Type "${DELETE_PHRASE}" to confirm.`)
});

/** Where erasing an engagement's content stands, for its members. */
export interface ErasureState {
	/** null when nobody has proposed it. */
	proposedBy: { userId: string; name: string } | null;
	proposedAt: number | null;
	/** Members who agreed so far (the proposer first). */
	agreed: string[];
	/** Members still to agree, by name. */
	waitingFor: string[];
	erasedAt: number | null;
	/** Whether the reader has agreed. */
	youAgreed: boolean;
}
