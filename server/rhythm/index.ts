/**
 * The rhythm between sessions (issue 13): scheduling the contract's series,
 * the rhythm at a glance and the nudge when it slips, reminders before each
 * session, preparation (the coachee's, shown to the coach as the agenda, and
 * the coach's private note), and actions updated between sessions. This
 * folder owns `reminder_preferences`, `session_preparations` and
 * `action_updates`; jobs run on the scheduler, emails go through the mail
 * queue. Every read and write takes the asking user and checks membership
 * through the engagements feature.
 */
import { countsAgainstContract } from '../../shared/sessions.ts';
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { ActionUpdateRow, CoachingSessionRow, Database } from '../store/index.ts';
import type { Engagements } from '../engagements/index.ts';
import type { MailQueue } from '../mail/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { BetweenUpdate } from '../pad/carry-over.ts';
import { newId } from '../auth/index.ts';
import { invalidForm } from '../../shared/forms/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type { CarriedAction } from '../../shared/pad/index.ts';
import type { EngagementFrequency } from '../../shared/contract/plan.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/time.ts';
import { actionUpdateForm, reminderForm, seriesCreateForm, seriesProposalForm, type Agenda, type RhythmOverview, type SeriesDraft } from '../../shared/rhythm/index.ts';
import { proposeSeries, wallOf, wallTime } from './series.ts';
import { isDue, isOverdue, rhythmAtAGlance } from './rules.ts';
import { offsetsOf, planReminders, REMINDER_JOB, setOffsets } from './reminders.ts';
import { createPreparations, type PreparationView } from './preparation.ts';
import { registerRhythmMail, remind, type RhythmPeople } from './mail.ts';
import { canUpdate, ownersOf } from './owners.ts';

export type { PreparationView } from './preparation.ts';
export type { RhythmOverview, SeriesDraft, OpenActionView } from '../../shared/rhythm/index.ts';

export const SWEEP_JOB = 'rhythm-sweep';

/** The plan of the contract in force, as the rhythm needs it. */
export interface ContractPlan {
	version: number;
	sessions: number;
	frequency: EngagementFrequency;
	sessionMinutes: number;
	startDate: string;
	endDate: string;
}

export interface RhythmDeps {
	db: Kysely<Database>;
	log: Logger;
	mail: Pick<MailQueue, 'enqueue' | 'kick' | 'register'>;
	scheduler: Scheduler;
	origin: string | undefined;
	engagements: Pick<Engagements, 'membership' | 'members' | 'sessionsOf' | 'scheduleSeries' | 'sessionRecord' | 'upcomingForUser' | 'engagementIds'>;
	contractPlan(engagementId: string): Promise<ContractPlan | null>;
	/** Open actions after the latest held session, with updates made since (the pad). */
	openActions(engagementId: string): Promise<CarriedAction[]>;
	timeZones(userIds: string[]): Promise<Map<string, string>>;
	/** A closed engagement gets no nudges or due-date emails (the closing feature). */
	isClosed?(engagementId: string): Promise<boolean>;
	/** After an action update between sessions: lets pads open right now show it (the pad). */
	actionUpdated?(engagementId: string): Promise<void>;
}

export interface Rhythm {
	overview(engagementId: string, userId: string): Promise<RhythmOverview | null>;
	proposeSeries(engagementId: string, userId: string, input: unknown): Promise<Result<SeriesDraft>>;
	createSeries(engagementId: string, userId: string, input: unknown): Promise<Result<CoachingSessionRow[]>>;
	setReminders(userId: string, input: unknown): Promise<Result<number[]>>;
	updateAction(engagementId: string, userId: string, input: unknown): Promise<Result<ActionUpdateRow>>;
	preparation(sessionId: string, userId: string): Promise<Result<PreparationView>>;
	prepare(sessionId: string, userId: string, input: unknown): Promise<Result<true>>;
	/** For the coach in the room: the coachees' preparation and the coach's note; null for anyone else. */
	agenda(sessionId: string, userId: string): Promise<Agenda | null>;
	/** Updates made between sessions, oldest first (merged into "From last time"). */
	betweenUpdates(engagementId: string): Promise<BetweenUpdate[]>;
	/** Inside the transaction that creates sessions: plans their reminders. */
	onScheduled(trx: Transaction<Database>, sessions: CoachingSessionRow[], memberIds: string[]): Promise<void>;
	/** Registers the jobs and mails and plans the first sweep. */
	start(): Promise<void>;
}

export function createRhythm(deps: RhythmDeps): Rhythm {
	const { db, scheduler, engagements } = deps;
	const log = deps.log.child({ feature: 'rhythm' });
	const zoneOf = async (userId: string) => (await deps.timeZones([userId])).get(userId) ?? DEFAULT_TIME_ZONE;

	async function betweenUpdates(engagementId: string): Promise<BetweenUpdate[]> {
		const rows = await db.selectFrom('action_updates').selectAll().where('engagement_id', '=', engagementId).orderBy('created_at').execute();
		return rows.map((r) => ({ actionId: r.action_id, status: r.status, comment: r.comment, userId: r.user_id, createdAt: r.created_at }));
	}

	async function sessionsLeft(engagementId: string, plan: ContractPlan): Promise<number> {
		const counted = (await engagements.sessionsOf(engagementId)).filter(countsAgainstContract);
		return Math.max(0, plan.sessions - counted.length);
	}

	const people: RhythmPeople = {
		members: (id) => engagements.members(id),
		timeZones: deps.timeZones,
		session: (id) => engagements.sessionRecord(id),
		openActions: deps.openActions
	};
	const preparations = createPreparations({ db, engagements, openActions: deps.openActions });

	async function sweep(now: number) {
		for (const engagementId of await engagements.engagementIds()) {
			try {
				if (await deps.isClosed?.(engagementId)) continue;
				await nudgeIfBehind(engagementId, now);
				await remindDueActions(engagementId, now);
			} catch (err) {
				// One engagement's problem does not hold back the others; the next sweep tries again.
				log.error({ err, engagement: engagementId }, 'rhythm check failed for an engagement');
			}
		}
	}

	async function nudgeIfBehind(engagementId: string, now: number) {
		const members = await engagements.members(engagementId);
		const coach = members.find((m) => m.role === 'coach');
		if (!coach) return;
		const plan = await deps.contractPlan(engagementId);
		if (!plan) return;
		const sessions = await engagements.sessionsOf(engagementId);
		const zone = await zoneOf(coach.userId);
		const glance = rhythmAtAGlance(sessions.map(toRhythmSession), { planned: plan.sessions, frequency: plan.frequency }, now, zone);
		if (!glance.behind) return;
		const last = sessions.filter((s) => s.kind === 'session' && s.status === 'ended').sort((a, b) => b.scheduled_at - a.scheduled_at)[0];
		if (!last) return;
		await deps.mail.enqueue(db, [{ kind: 'rhythm_nudge', subjectId: `${engagementId}|${last.id}`, userId: coach.userId, toName: coach.name, toAddress: coach.email }]);
		deps.mail.kick();
	}

	async function remindDueActions(engagementId: string, now: number) {
		const actions = await deps.openActions(engagementId);
		if (actions.length === 0) return;
		const members = await engagements.members(engagementId);
		const zones = await deps.timeZones(members.map((m) => m.userId));
		const mails = [];
		for (const a of actions) {
			for (const m of ownersOf(a, members)) {
				if (!isDue(a, now, zones.get(m.userId) ?? DEFAULT_TIME_ZONE)) continue;
				mails.push({ kind: 'action_due' as const, subjectId: `${engagementId}|${a.id}|${a.due}`, userId: m.userId, toName: m.name, toAddress: m.email });
			}
		}
		if (mails.length === 0) return;
		await deps.mail.enqueue(db, mails);
		deps.mail.kick();
	}

	return {
		betweenUpdates,

		async overview(engagementId, userId) {
			const m = await engagements.membership(userId, { engagementId });
			if (!m) return null;
			const now = scheduler.now();
			const [zone, plan, sessions, actions, members, offsets] = await Promise.all([
				zoneOf(userId),
				deps.contractPlan(engagementId),
				engagements.sessionsOf(engagementId),
				deps.openActions(engagementId),
				engagements.members(engagementId),
				offsetsOf(db, [userId])
			]);
			const frequency = plan?.frequency ?? (m.engagement.frequency as EngagementFrequency | null);
			const glance = rhythmAtAGlance(sessions.map(toRhythmSession), { planned: plan?.sessions ?? m.engagement.planned_sessions, frequency }, now, zone);
			let series: RhythmOverview['series'] = null;
			if (plan && m.role === 'coach') {
				const last = sessions.filter((s) => s.kind === 'session').sort((a, b) => b.scheduled_at - a.scheduled_at)[0];
				const from = last ? (glance.nextDue ?? wallOf(last.scheduled_at, zone).date) : plan.startDate;
				series = {
					sessionsLeft: await sessionsLeft(engagementId, plan),
					durationMinutes: plan.sessionMinutes,
					time: last ? wallOf(last.scheduled_at, zone).time : '09:30',
					from: from < plan.startDate ? plan.startDate : from,
					frequency: plan.frequency,
					endDate: plan.endDate
				};
			}
			return {
				zone,
				glance,
				actions: actions.map((a) => ({ ...a, overdue: isOverdue(a, now, zone), mine: canUpdate(a, userId, m.role, members) })),
				reminderMinutes: offsets.get(userId) ?? [],
				series
			};
		},

		async proposeSeries(engagementId, userId, input) {
			const m = await engagements.membership(userId, { engagementId });
			if (!m) return fail('not_found', 'No such engagement.');
			if (m.role !== 'coach') return fail('forbidden', 'Only the coach schedules the series.');
			const parsed = seriesProposalForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const plan = await deps.contractPlan(engagementId);
			if (!plan) return fail('conflict', 'The series follows the contract in force: draft the contract and have everyone accept it first.');
			const zone = await zoneOf(userId);
			const proposed = proposeSeries({
				frequency: plan.frequency,
				startDate: plan.startDate,
				endDate: plan.endDate,
				sessionsLeft: await sessionsLeft(engagementId, plan),
				time: parsed.data.time,
				zone,
				from: parsed.data.from || undefined,
				unavailable: parsed.data.unavailable,
				now: Date.now(),
				max: limits.rhythm.maxSeries
			});
			if (!proposed.ok) return proposed;
			const local = proposed.value.sessions.map((s) => `${s.date}T${s.time}`);
			return ok({ ...proposed.value, zone, durationMinutes: plan.sessionMinutes, local });
		},

		async createSeries(engagementId, userId, input) {
			// Membership first: a stranger learns nothing from a form error.
			const m = await engagements.membership(userId, { engagementId });
			if (!m) return fail('not_found', 'No such engagement.');
			if (m.role !== 'coach') return fail('forbidden', 'Only the coach schedules the series.');
			const parsed = seriesCreateForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const zone = await zoneOf(userId);
			const inputs = parsed.data.at.map((local) => {
				const [date, time] = local.split('T') as [string, string];
				return { kind: 'session', scheduledAt: new Date(wallTime(date, time, zone)).toISOString(), durationMinutes: parsed.data.durationMinutes };
			});
			// The engagements feature checks the coach, each date and the contract's count, and creates them at once.
			const r = await engagements.scheduleSeries(engagementId, userId, inputs);
			if (r.ok) {
				scheduler.kick();
				log.info({ engagement: engagementId, sessions: r.value.length }, 'series scheduled');
			}
			return r;
		},

		async setReminders(userId, input) {
			const parsed = reminderForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const upcoming = await engagements.upcomingForUser(userId, scheduler.now());
			await setOffsets(db, scheduler, userId, parsed.data.hours, upcoming);
			scheduler.kick();
			return ok(parsed.data.hours);
		},

		async updateAction(engagementId, userId, input) {
			const m = await engagements.membership(userId, { engagementId });
			if (!m) return fail('not_found', 'No such engagement.');
			const parsed = actionUpdateForm.safeParse(input);
			if (!parsed.success) return invalidForm(parsed.error);
			const action = (await deps.openActions(engagementId)).find((a) => a.id === parsed.data.actionId);
			if (!action) return fail('not_found', 'That action is not open in this engagement any more; reload the page.', 'actionId');
			if (!canUpdate(action, userId, m.role, await engagements.members(engagementId))) {
				return fail('forbidden', 'Only the person who owns this action can update it between sessions.', 'actionId');
			}
			const row: ActionUpdateRow = {
				id: newId(),
				engagement_id: engagementId,
				action_id: action.id,
				from_session_id: action.fromSessionId,
				status: parsed.data.status,
				comment: parsed.data.comment,
				user_id: userId,
				created_at: Date.now()
			};
			await db.insertInto('action_updates').values(row).execute();
			// Stored: a pad that misses it now takes it at its next load.
			await deps.actionUpdated?.(engagementId).catch((err: unknown) => log.error({ err, engagement: engagementId }, 'could not show an action update in an open pad'));
			return ok(row);
		},

		preparation: preparations.view,
		prepare: preparations.save,
		agenda: preparations.agenda,

		async onScheduled(trx, sessions, memberIds) {
			await planReminders(trx, scheduler, sessions, memberIds);
		},

		async start() {
			registerRhythmMail(deps.mail, people, deps.origin);
			scheduler.register(REMINDER_JOB, async (job, now) => {
				await remind(job, now, { db, mail: deps.mail, people, log });
			});
			scheduler.register(SWEEP_JOB, async (job, now) => {
				await sweep(now);
				const slot = Math.floor(now / limits.rhythm.sweepEveryMs) + 1;
				await scheduler.enqueue(db, [{ kind: SWEEP_JOB, subject: `sweep|${slot}`, runAt: slot * limits.rhythm.sweepEveryMs }]);
			});
			const now = scheduler.now();
			await scheduler.enqueue(db, [{ kind: SWEEP_JOB, subject: `sweep|${Math.floor(now / limits.rhythm.sweepEveryMs)}`, runAt: now }]);
		}
	};
}

function toRhythmSession(s: CoachingSessionRow) {
	return { id: s.id, kind: s.kind, scheduledAt: s.scheduled_at, status: s.status, endedAt: s.ended_at };
}
