import { services } from '$lib/server/services.ts';
import { failWith, formObject } from '$lib/server/forms.ts';
import { notFound, requireUser } from '$lib/server/guards.ts';
import { instantToWallTime } from '$shared/time.ts';
import { engagementLife } from '$shared/scoping/index.ts';
import { sharingOf } from '$shared/contract/index.ts';
import { fail } from '@sveltejs/kit';
import { httpStatus } from '$shared/result.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const view = await services().engagements.getForMember(event.params.id, user.id);
	if (!view) notFound();
	const versions = (await services().contracts.versions(view.id, user.id)) ?? [];
	const shown = versions.filter((v) => v.status !== 'draft' || view.role === 'coach');
	const contract = {
		inForce: shown.find((v) => v.status === 'in_force')?.version ?? null,
		waiting: shown.find((v) => v.status === 'sent')?.version ?? null,
		draft: shown.find((v) => v.status === 'draft')?.version ?? null
	};
	const [sponsorList, updates] = await Promise.all([services().sponsors.sponsorsOf(view.id, user.id), services().sponsors.updatesFor(view.id, user.id)]);
	const referrals = (await services().referrals.listFor(view.id, user.id))?.referrals ?? [];
	const earliest = (xs: (number | null)[]) => xs.reduce<number | null>((min, x) => (x !== null && (min === null || x < min) ? x : min), null);
	const inForce = shown.find((v) => v.status === 'in_force');
	const contracted = view.sessions.filter((s) => s.kind === 'session');
	const origin = await services().proposals.lifeOf(view.id, user.id);
	const life = engagementLife({
		proposal: origin,
		contract: {
			draftedAt: earliest(shown.map((v) => v.createdAt)),
			sentAt: earliest(shown.map((v) => v.sentAt)),
			inForceAt: earliest(shown.map((v) => v.inForceAt)),
			version: inForce?.version ?? null
		},
		sessions: {
			held: contracted.filter((s) => s.status === 'ended').length,
			planned: inForce?.body.plan.sessions ?? view.planned_sessions,
			next: contracted.find((s) => s.status === 'scheduled')?.scheduled_at ?? null
		}
	});
	const [rhythm, closing, callPrivacy] = await Promise.all([services().rhythm.overview(view.id, user.id), services().closing.view(view.id, user.id), services().callPrivacy.forMember(view.id, user.id)]);
	const required = Number(view.require_two_factor ?? 0) === 1;
	const twoFactor = { required, missing: required && !(await services().twoFactor.enabledFor(user.id)), turnedAway: event.url.searchParams.get('twofactor') === 'required' };
	const erasure = await services().yourData.erasure(view.id, user.id);
	// The pickers show wall time in the reader's zone; the server reads what comes back in that zone.
	const zone = user.timeZone;
	const tomorrow = Math.ceil((Date.now() + 24 * 60 * 60_000) / 3_600_000) * 3_600_000;
	const byGoal = (await services().summaries.actionsByGoal(view.id, user.id)) ?? [];
	const [progress, rating] = await Promise.all([services().progress.series(view.id, user.id), services().progress.ratingForm(view.id, user.id)]);
	// A group's coachees see each other's names only if their contract in force says so.
	const hideNames = view.role === 'coachee' && view.members.filter((m) => m.role === 'coachee').length > 1 && !!inForce && !sharingOf(inForce.body).names;
	const shownMembers = hideNames ? view.members.filter((m) => m.role === 'coach' || m.userId === user.id) : view.members;
	const hiddenMembers = view.members.length - shownMembers.length;
	const nameOf = new Map(view.members.map((m) => [m.userId, shownMembers.includes(m) ? m.name : 'A group member']));
	return {
		twoFactor,
		rhythm,
		closing,
		callPrivacy,
		erasure,
		life,
		zone,
		defaultStart: instantToWallTime(tomorrow, zone),
		notice: inForce ? { hours: inForce.body.plan.noticeHours, changes: inForce.body.plan.changes } : null,
		// Only the coach opens the proposal; everyone sees the steps.
		fromProposal: view.role === 'coach' && origin ? { id: origin.proposalId, invited: origin.invited } : null,
		contract,
		byGoal,
		progress,
		// Once closed, the goals' last rating is the one given with the final evaluation: "Rate progress now" would only rewrite the last session's.
		rating: closing?.state === 'closed' ? null : rating,
		sponsors: (sponsorList ?? []).map((p) => p.name),
		me: { id: user.id },
		referrals: referrals.map((r) => ({ ...r, coacheeName: nameOf.get(r.coacheeId) ?? 'A former participant' })),
		updates: (updates ?? []).map((u) => ({ ...u, decidedByName: u.decidedBy ? (nameOf.get(u.decidedBy) ?? 'A former participant') : null })),
		engagement: {
			id: view.id,
			title: view.title,
			kind: view.kind,
			goals: view.goals,
			plannedSessions: view.planned_sessions,
			frequency: view.frequency,
			role: view.role,
			members: shownMembers.map((m) => ({ userId: m.userId, name: m.name, role: m.role, ...(view.role === 'coach' ? { email: m.email } : {}) })),
			hiddenMembers,
			sessions: view.sessions.map((s) => ({
				id: s.id,
				kind: s.kind,
				number: s.number,
				scheduledAt: s.scheduled_at,
				durationMinutes: s.duration_minutes,
				status: s.status,
				endedAt: s.ended_at,
				wallTime: instantToWallTime(s.scheduled_at, zone),
				late: s.late_change === 1,
				changeReason: s.change_reason,
				changedBy: s.changed_by ? (s.changed_by === user.id ? 'you' : (nameOf.get(s.changed_by) ?? 'a former participant')) : null,
				moved: s.sequence > 0 && s.status !== 'cancelled'
			}))
		}
	};
};

export const actions: Actions = {
	/** The coach requires (or stops requiring) two-factor sign-in of everyone in the engagement. */
	requireTwoFactor: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().engagements.setRequireTwoFactor(event.params.id, user.id, form);
		if (!result.ok) return failWith({ ...result.error, field: 'requireTwoFactor' });
		return { twoFactorRequired: result.value.required };
	},
	invite: async (event) => {
		const user = requireUser(event);
		const result = await services().engagements.createInvite(event.params.id, user.id);
		if (!result.ok) return failWith(result.error);
		return { invite: { url: `${event.url.origin}/invite/${result.value.token}`, expiresAt: result.value.expiresAt } };
	},
	sponsorLink: async (event) => {
		const user = requireUser(event);
		const result = await services().sponsors.createLink(event.params.id, user.id);
		if (!result.ok) return failWith(result.error);
		return { sponsorLink: { url: `${event.url.origin}/sponsor-invite/${result.value.token}`, expiresAt: result.value.expiresAt } };
	},
	draftUpdate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().sponsors.draftUpdate(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { drafted: result.value.id };
	},
	decideUpdate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().sponsors.decideUpdate(event.params.id, form.update ?? '', user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { decided: { id: result.value.id, status: result.value.status } };
	},
	proposeReferral: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().referrals.propose(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { referral: { id: result.value.id, status: result.value.status } };
	},
	referral: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const { referrals } = services();
		const id = form.referral ?? '';
		const result =
			form.step === 'referred'
				? await referrals.markReferred(event.params.id, id, user.id)
				: form.step === 'withdraw'
					? await referrals.withdraw(event.params.id, id, user.id)
					: await referrals.decide(event.params.id, id, user.id, { decision: form.step });
		if (!result.ok) return failWith(result.error, form);
		return { referral: { id: result.value.id, status: result.value.status } };
	},
	proposeSeries: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().rhythm.proposeSeries(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { series: result.value };
	},
	createSeries: async (event) => {
		const user = requireUser(event);
		const data = await event.request.formData();
		const input = { at: data.getAll('at').map(String), durationMinutes: String(data.get('durationMinutes') ?? '') };
		const result = await services().rhythm.createSeries(event.params.id, user.id, input);
		if (!result.ok) return failWith(result.error, { durationMinutes: input.durationMinutes });
		return { seriesCreated: result.value.length };
	},
	reminders: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		// Reminders are the person's own, but this page's action is only for its members.
		if (!(await services().engagements.getForMember(event.params.id, user.id))) return failWith({ code: 'not_found', message: 'No such engagement.' });
		const result = await services().rhythm.setReminders(user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { reminders: result.value };
	},
	updateAction: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().rhythm.updateAction(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { actionUpdated: result.value.action_id };
	},
	schedule: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().engagements.scheduleSession(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { scheduled: result.value.id };
	},
	reschedule: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().engagements.rescheduleSession(form.session ?? '', user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { changed: { session: result.value.session.id, kind: 'moved' as const, late: result.value.late } };
	},
	/** "Rate progress now": the moment (baseline, or the latest session) is the one the form was shown for. */
	rate: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().progress.rate(event.params.id, user.id, form);
		if (!result.ok) return failWith(result.error, { ...form, on: 'rate' });
		return { rated: result.value.recorded };
	},
	callPrivacy: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().callPrivacy.setRequired(event.params.id, user.id, form.requireE2ee === 'on');
		// Only the coach changes it; anyone else learns nothing about the engagement.
		if (!result) return failWith({ code: 'not_found', message: 'No such engagement.' });
		return { callPrivacy: result };
	},
	cancel: async (event) => {
		const user = requireUser(event);
		const form = await formObject(event.request);
		const result = await services().engagements.cancelSession(form.session ?? '', user.id, form);
		if (!result.ok) return failWith(result.error, form);
		return { changed: { session: result.value.session.id, kind: 'cancelled' as const, late: result.value.late } };
	},
	/** Erasing the engagement's content by agreement (server/yourdata): propose, agree, withdraw or decline. */
	proposeErasure: async (event) => erasureStep(event, 'proposeErasure'),
	agreeErasure: async (event) => erasureStep(event, 'agreeErasure'),
	withdrawErasure: async (event) => erasureStep(event, 'withdrawErasure')
};

async function erasureStep(event: Parameters<Actions[string]>[0], step: 'proposeErasure' | 'agreeErasure' | 'withdrawErasure') {
	const user = requireUser(event);
	const result = await services().yourData[step](event.params.id ?? '', user.id);
	// A stranger gets the same 404 as for any other action here (nothing says the engagement exists).
	if (!result.ok) return fail(httpStatus[result.error.code], { erasureError: result.error.message });
	return { erasureDone: step };
}
