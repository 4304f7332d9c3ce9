/**
 * A person using the app over plain HTTP: keeps their session cookie and
 * posts forms the way a browser does (with an Origin header).
 */
import * as devalue from 'devalue';
import { linkFor } from './mailbox.ts';
import { KEY_CLAUSE_IDS, contractFormFields, draftFromTemplate, type ContractBody } from '../../shared/contract/index.ts';

export class Visitor {
	cookie = '';
	/** The address this person signed up or in with. */
	email = '';
	readonly base: string;
	constructor(base: string) {
		this.base = base;
	}

	async get(path: string, init: RequestInit = {}): Promise<Response> {
		return fetch(this.base + path, { redirect: 'manual', ...init, headers: { cookie: this.cookie, ...(init.headers as Record<string, string>) } });
	}

	/** Posts a form like a browser without JavaScript; returns the raw response. */
	async post(path: string, fields: Record<string, string> | [string, string][], headers: Record<string, string> = {}): Promise<Response> {
		const res = await fetch(this.base + path, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: this.base, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie, ...headers },
			body: new URLSearchParams(fields).toString()
		});
		this.keepCookie(res);
		return res;
	}

	/** Posts a form like SvelteKit's enhanced forms; returns the decoded action result. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- action data is whatever the route returned, read field by field by each test
	async action(path: string, fields: Record<string, string> | [string, string][] = {}): Promise<{ type: string; status: number; data?: any; location?: string }> {
		const res = await this.post(path, fields, { 'x-sveltekit-action': 'true', accept: 'application/json' });
		const body = (await res.json()) as { type: string; status?: number; data?: string; location?: string };
		// An error thrown by the action (a 404 before the form is read) carries its status on the response only.
		return { ...body, status: body.status ?? res.status, data: body.data ? devalue.parse(body.data) : undefined };
	}

	private keepCookie(res: Response) {
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			if (!pair) continue;
			if (/max-age=0/i.test(c) || pair.endsWith('=')) this.cookie = '';
			else this.cookie = pair;
		}
	}

	/** Signs up and confirms the address through the link mailed to it, as a person does; signed in afterwards. */
	async signUp(name: string, email: string, password = 'correct horse battery', next?: string): Promise<void> {
		const r = await this.action(next ? `/signup?next=${encodeURIComponent(next)}` : '/signup', { name, email, password });
		if (r.type !== 'success' || r.data?.sent !== email.trim().toLowerCase()) throw new Error(`sign-up failed: ${JSON.stringify(r)}`);
		const done = await this.action(await linkFor(this.base, email, '/signup/confirm/'));
		if (done.type !== 'redirect') throw new Error(`finishing the sign-up failed: ${JSON.stringify(done)}`);
		this.email = email;
	}

	async signIn(email: string, password = 'correct horse battery'): Promise<void> {
		const r = await this.action('/signin', { email, password });
		if (r.type !== 'redirect') throw new Error(`sign-in failed: ${JSON.stringify(r)}`);
		this.email = email;
	}

	/** Creates an engagement and returns its id. */
	async createEngagement(fields: Partial<Record<'kind' | 'title' | 'goals' | 'plannedSessions' | 'frequency', string>> = {}): Promise<string> {
		const r = await this.action('/engagements/new', { kind: 'coaching', title: 'Leading the new team', goals: 'Confident first 90 days', plannedSessions: '6', frequency: 'monthly', ...fields });
		const id = r.location?.split('/').pop();
		if (r.type !== 'redirect' || !id) throw new Error(`create engagement failed: ${JSON.stringify(r)}`);
		return id;
	}

	async createInvite(engagementId: string): Promise<string> {
		const r = await this.action(`/engagements/${engagementId}?/invite`);
		if (r.type !== 'success') throw new Error(`invite failed: ${JSON.stringify(r)}`);
		return new URL(r.data.invite.url).pathname;
	}

	async acceptInvite(invitePath: string) {
		return this.action(invitePath);
	}

	/** Schedules a session `inMinutes` from now (by default inside its start window, so joining starts it); returns its id. */
	async scheduleSession(engagementId: string, inMinutes = 10, durationMinutes = 60, kind: 'session' | 'introductory' | 'three_way' = 'session'): Promise<string> {
		const r = await this.action(`/engagements/${engagementId}?/schedule`, {
			kind,
			scheduledAt: new Date(Date.now() + inMinutes * 60_000).toISOString(),
			durationMinutes: String(durationMinutes)
		});
		if (r.type !== 'success') throw new Error(`schedule failed: ${JSON.stringify(r)}`);
		return r.data.scheduled as string;
	}
}

let addressSeq = 0;
/** A Visitor behind their own address, for a server started with ADDRESS_HEADER=X-Forwarded-For (as behind a proxy). */
export class AddressedVisitor extends Visitor {
	readonly address: string;
	constructor(base: string, address = `198.51.100.${++addressSeq % 250}`) {
		super(base);
		this.address = address;
	}
	override get(path: string, init: RequestInit = {}) {
		return super.get(path, { ...init, headers: { 'x-forwarded-for': this.address, ...(init.headers as Record<string, string>) } });
	}
	override post(path: string, fields: Record<string, string> | [string, string][], headers: Record<string, string> = {}) {
		return super.post(path, fields, { 'x-forwarded-for': this.address, ...headers });
	}
}

let counter = 0;
/** A unique email per call, so tests never collide. */
export const uniqueEmail = (who: string) => `${who}.${Date.now().toString(36)}${(counter++).toString(36)}@example.org`;

/**
 * Drafts, sends and has everyone accept a contract (the template with one
 * written goal, `sessions` sessions): what must be in force before coaching
 * sessions can be scheduled.
 */
export async function agreeContract(coach: { visitor: Visitor; name: string }, coachees: { visitor: Visitor; name: string }[], engagementId: string, opts: { kind?: 'coaching' | 'mentoring'; sessions?: number; change?: (b: ContractBody) => void } = {}) {
	const open = await coach.visitor.get(`/engagements/${engagementId}/contract/edit`);
	if (open.status !== 200) throw new Error(`contract draft failed: ${open.status}`);
	const today = new Date().toISOString().slice(0, 10);
	const body = draftFromTemplate(opts.kind ?? 'coaching', { today, sessions: opts.sessions ?? 6, frequency: 'monthly', goals: 'Confident first 90 days' });
	body.goals[0] = { ...body.goals[0]!, measure: 'Team survey at 4 of 5 or better', whyItMatters: 'A new role from March' };
	opts.change?.(body);
	const sent = await coach.visitor.action(`/engagements/${engagementId}/contract/edit?/send`, contractFormFields(body));
	if (sent.type !== 'redirect') throw new Error(`contract send failed: ${JSON.stringify(sent)}`);
	const versions = await coach.visitor.get(`/engagements/${engagementId}/contract`);
	// The newest version is the one just sent (an amendment lists the one in force too).
	const numbers = [...(await versions.text()).matchAll(/Version (\d+)/g)].map((m) => Number(m[1]));
	if (numbers.length === 0) throw new Error('the sent contract has no version');
	const version = String(Math.max(...numbers));
	for (const p of [coach, ...coachees]) {
		const r = await p.visitor.action(`/engagements/${engagementId}/contract?/accept`, [['version', version], ['typedName', p.name], ...KEY_CLAUSE_IDS.map((k): [string, string] => ['ticked', k])]);
		if (r.type !== 'success') throw new Error(`contract acceptance by ${p.name} failed: ${JSON.stringify(r)}`);
	}
	return Number(version);
}

/** A coach with an engagement, a coachee who accepted the invite, a contract in force, and one scheduled session. */
export async function coachingPair(base: string, opts: { coachees?: number; kind?: string } = {}) {
	const coach = new Visitor(base);
	const emails = { coach: uniqueEmail('coach'), coachees: [] as string[] };
	await coach.signUp('Casey Coach', emails.coach);
	const engagementId = await coach.createEngagement({ kind: opts.kind ?? 'coaching' });
	const coachees: Visitor[] = [];
	const names = ['Sam Coachee', 'Alex Coachee', 'Robin Coachee', 'Jo Coachee'];
	for (let i = 0; i < (opts.coachees ?? 1); i++) {
		const c = new Visitor(base);
		emails.coachees.push(uniqueEmail('coachee'));
		await c.signUp(names[i] ?? `Coachee ${i}`, emails.coachees[i]!);
		const r = await c.acceptInvite(await coach.createInvite(engagementId));
		if (r.type !== 'redirect') throw new Error(`accept failed: ${JSON.stringify(r)}`);
		coachees.push(c);
	}
	const kind = opts.kind === 'mentoring' ? 'mentoring' : 'coaching';
	await agreeContract({ visitor: coach, name: 'Casey Coach' }, coachees.map((visitor, i) => ({ visitor, name: names[i] ?? `Coachee ${i}` })), engagementId, { kind });
	const sessionId = await coach.scheduleSession(engagementId);
	return { coach, coachee: coachees[0]!, coachees, engagementId, sessionId, emails };
}

/** A sponsor who signed up and took the coach's sponsor link for the engagement. */
export async function joinAsSponsor(base: string, coach: Visitor, engagementId: string, name = 'Pat Sponsor') {
	const sponsor = new Visitor(base);
	const email = uniqueEmail('pat');
	await sponsor.signUp(name, email);
	const link = await coach.action(`/engagements/${engagementId}?/sponsorLink`);
	if (link.type !== 'success') throw new Error(`sponsor link failed: ${JSON.stringify(link)}`);
	const r = await sponsor.action(new URL(link.data.sponsorLink.url).pathname);
	if (r.type !== 'redirect') throw new Error(`sponsor link refused: ${JSON.stringify(r)}`);
	return { sponsor, email };
}

/** A signed-in person's own user id, as the session page gives it to their browser. */
export async function userIdOn(visitor: Visitor, sessionId: string): Promise<string> {
	const html = await (await visitor.get(`/sessions/${sessionId}`)).text();
	const id = /me:\{id:"([a-z0-9]+)"/.exec(html)?.[1];
	if (!id) throw new Error('no user id on the session page');
	return id;
}
