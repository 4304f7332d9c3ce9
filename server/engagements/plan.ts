/** The engagement's own plan, read for a contract's first draft and updated when a contract comes into force. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Engagements } from './index.ts';

export function createPlans(db: Kysely<Database>): Pick<Engagements, 'plan' | 'adoptPlan' | 'engagementIds'> {
	return {
		async engagementIds() {
			return (await db.selectFrom('engagements').select('id').orderBy('created_at').execute()).map((r) => r.id);
		},
		async plan(engagementId) {
			const e = await db.selectFrom('engagements').select(['title', 'kind', 'planned_sessions', 'frequency', 'goals']).where('id', '=', engagementId).executeTakeFirst();
			return e ? { title: e.title, kind: e.kind, plannedSessions: e.planned_sessions, frequency: e.frequency, goals: e.goals } : null;
		},
		async adoptPlan(engagementId, plan) {
			await db.updateTable('engagements').set({ planned_sessions: plan.sessions, frequency: plan.frequency }).where('id', '=', engagementId).execute();
		}
	};
}
