/**
 * Call privacy per engagement (issue 18). What it offers:
 * - `forMember`: whether the engagement's calls must be end-to-end
 *   encrypted, for any member (the engagement page shows it; the coach can
 *   change it); null for anyone else;
 * - `setRequired`: the coach's switch (anyone else gets null: "not found");
 * - `requiredForSession`: what the media server checks when a browser joins
 *   a session's call.
 * Calls are encrypted end to end whenever everyone in them can do it; this
 * setting only decides whether those who cannot are kept out.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Logger } from '../log/index.ts';
import type { Membership, MembershipOf } from '../engagements/index.ts';

export interface CallPrivacySetting {
	requireE2ee: boolean;
	/** Only the coach changes it. */
	canChange: boolean;
}

export interface CallPrivacy {
	forMember(engagementId: string, userId: string): Promise<CallPrivacySetting | null>;
	setRequired(engagementId: string, userId: string, required: boolean): Promise<CallPrivacySetting | null>;
	requiredForSession(sessionId: string): Promise<boolean>;
}

export function createCallPrivacy(deps: { db: Kysely<Database>; log: Logger; membership(userId: string, of: MembershipOf): Promise<Membership | null> }): CallPrivacy {
	const { db } = deps;
	const log = deps.log.child({ feature: 'call-privacy' });

	async function required(engagementId: string): Promise<boolean> {
		const row = await db.selectFrom('engagement_call_privacy').select('require_e2ee').where('engagement_id', '=', engagementId).executeTakeFirst();
		return row?.require_e2ee === 1;
	}

	return {
		async forMember(engagementId, userId) {
			const member = await deps.membership(userId, { engagementId });
			if (!member) return null;
			return { requireE2ee: await required(engagementId), canChange: member.role === 'coach' };
		},

		async setRequired(engagementId, userId, requireE2ee) {
			const member = await deps.membership(userId, { engagementId });
			if (member?.role !== 'coach') return null;
			const row = { engagement_id: engagementId, require_e2ee: requireE2ee ? 1 : 0, changed_by: userId, changed_at: Date.now() };
			await db
				.insertInto('engagement_call_privacy')
				.values(row)
				.onConflict((c) => c.column('engagement_id').doUpdateSet({ require_e2ee: row.require_e2ee, changed_by: userId, changed_at: row.changed_at }))
				.execute();
			log.info({ engagement: engagementId, user: userId, requireE2ee }, 'call privacy changed');
			return { requireE2ee, canChange: true };
		},

		async requiredForSession(sessionId) {
			const row = await db
				.selectFrom('coaching_sessions')
				.innerJoin('engagement_call_privacy', 'engagement_call_privacy.engagement_id', 'coaching_sessions.engagement_id')
				.select('engagement_call_privacy.require_e2ee')
				.where('coaching_sessions.id', '=', sessionId)
				.executeTakeFirst();
			return row?.require_e2ee === 1;
		}
	};
}
