/**
 * The web app's door to the server: it holds only the methods routes use,
 * each still working when called on its own (routes destructure them), with
 * the deployment's cookie security applied.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/index.ts';
import { openStore } from '../../server/store/index.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import type { Contracts } from '../../server/contracts/index.ts';
import type { Sponsors } from '../../server/sponsors/index.ts';
import type { Referrals } from '../../server/referrals/index.ts';
import type { Proposals } from '../../server/proposals/index.ts';
import type { MailService } from '../../server/mail/index.ts';
import type { Rhythm } from '../../server/rhythm/index.ts';
import type { Schemes } from '../../server/schemes/index.ts';
import type { Closing } from '../../server/closing/index.ts';
import type { Summaries } from '../../server/summary/index.ts';
import { webMethods } from '../../server/services.ts';
import { webServices } from '../../server/web-services.ts';
import type { Calendar } from '../../server/calendar/index.ts';
import type { Feedback } from '../../server/feedback/index.ts';
import type { Progress } from '../../server/progress/index.ts';
import type { Practice } from '../../server/practice/index.ts';
import type { CallPrivacy } from '../../server/call-privacy/index.ts';
import type { YourData } from '../../server/yourdata/index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-web-services-'));
const store = await openStore({ dataDir: dir });
afterAll(async () => {
	await store.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

// The summary feature needs rooms and mail to start; here only its method names matter.
const summaries = Object.fromEntries([...webMethods.summaries, 'end', 'start', 'close', 'correct'].map((m) => [m, () => null])) as unknown as Summaries;

function web(origin?: string) {
	const config = loadConfig(origin ? { ORIGIN: origin, DATA_DIR: dir } : { DATA_DIR: dir });
	const auth = createAuth(store.db);
	const stub = <T>(names: readonly string[]) => Object.fromEntries(names.map((m) => [m, () => null])) as unknown as T;
	return webServices({
		config,
		log: pino({ level: 'silent' }),
		auth,
		engagements: createEngagements(store.db, auth),
		summaries,
		contracts: stub<Contracts>([...webMethods.contracts]),
		sponsors: stub<Sponsors>([...webMethods.sponsors]),
		referrals: stub<Referrals>([...webMethods.referrals]),
		calendar: stub<Calendar>([...webMethods.calendar]),
		proposals: stub<Proposals>([...webMethods.proposals, 'prefillFor']),
		mail: stub<MailService>([...webMethods.mail, 'enqueue', 'readOutbox']),
		rhythm: stub<Rhythm>([...webMethods.rhythm, 'onScheduled', 'start', 'betweenUpdates']),
		schemes: stub<Schemes>([...webMethods.schemes]),
		feedback: stub<Feedback>([...webMethods.feedback, 'onSessionEnded', 'start']),
		progress: stub<Progress>([...webMethods.progress, 'recordRatings']),
		practice: stub<Practice>([...webMethods.practice]),
		closing: stub<Closing>([...webMethods.closing, 'isClosed', 'start']),
		callPrivacy: stub<CallPrivacy>([...webMethods.callPrivacy, 'requiredForSession']),
		yourData: stub<YourData>([...webMethods.yourData])
	});
}

it('offers routes only the methods they use', () => {
	const w = web();
	expect(Object.keys(w.engagements).sort()).toEqual([...webMethods.engagements].sort());
	expect(Object.keys(w.summaries).sort()).toEqual([...webMethods.summaries, 'correct'].sort());
	expect(Object.keys(w.auth).sort()).toEqual([...webMethods.auth, 'addressOf', 'clearedCookie', 'cookieFor', 'cookieName', 'clearedPendingCookie', 'pendingCookieFor', 'pendingCookieName'].sort());
	expect(Object.keys(w.twoFactor).sort()).toEqual([...webMethods.twoFactor].sort());
	// Starting a pending sign-in is only for a right password; no route may do it.
	for (const internal of ['begin', 'verify', 'withoutSecondFactor']) expect(w.twoFactor).not.toHaveProperty(internal);
	for (const internal of ['membership', 'members', 'setSessionStatus', 'sessionRecord', 'liveSessionIds']) expect(w.engagements).not.toHaveProperty(internal);
	for (const internal of ['usersByIds', 'createAccount', 'record', 'confirmedAmong', 'unconfirmedAmong', 'live', 'twoFactor']) expect(w.auth).not.toHaveProperty(internal);
	expect(Object.keys(w.calendar).sort()).toEqual([...webMethods.calendar].sort());
	expect(Object.keys(w.proposals).sort()).toEqual([...webMethods.proposals].sort());
	expect(Object.keys(w.mail).sort()).toEqual(['mailbox', 'mailboxFile']);
	expect(w.mail).not.toHaveProperty('enqueue');
	expect(Object.keys(w.rhythm).sort()).toEqual([...webMethods.rhythm].sort());
	for (const internal of ['onScheduled', 'start', 'betweenUpdates']) expect(w.rhythm).not.toHaveProperty(internal);
	expect(Object.keys(w.feedback).sort()).toEqual([...webMethods.feedback].sort());
	for (const internal of ['onSessionEnded', 'start']) expect(w.feedback).not.toHaveProperty(internal);
	expect(Object.keys(w.progress).sort()).toEqual([...webMethods.progress].sort());
	expect(Object.keys(w.practice).sort()).toEqual([...webMethods.practice].sort());
	expect(Object.keys(w.closing).sort()).toEqual([...webMethods.closing].sort());
	for (const internal of ['isClosed', 'start']) expect(w.closing).not.toHaveProperty(internal);
	expect(Object.keys(w.callPrivacy).sort()).toEqual([...webMethods.callPrivacy].sort());
	expect(w.callPrivacy).not.toHaveProperty('requiredForSession');
});

it('binds the cookie to the deployment: __Host- and Secure behind https', () => {
	const secure = web('https://coach.example.org').auth;
	expect(secure.cookieName).toBe('__Host-confidante_session');
	expect(secure.cookieFor('t', 1).options).toMatchObject({ secure: true, httpOnly: true, sameSite: 'lax', path: '/' });
	expect(web().auth.clearedCookie()).toMatchObject({ name: 'confidante_session', value: '', options: { maxAge: 0, secure: false } });
});

it('methods work when taken off the object, as routes do', async () => {
	const { signIn } = web().auth;
	const { create, getForMember } = web().engagements;
	const made0 = await createAuth(store.db).createAccount({ name: 'Casey Coach', email: 'casey.web@example.org', password: 'a long enough password' });
	expect(made0.ok).toBe(true);
	const signed = await signIn({ email: 'casey.web@example.org', password: 'a long enough password' }, { address: '127.0.0.1', userAgent: 'test' });
	expect(signed.ok).toBe(true);
	if (!signed.ok || !('user' in signed.value)) throw new Error('no second factor was set up, so signing in gives a session');
	const made = await create(signed.value.user.id, { kind: 'coaching', title: 'Leadership', goals: 'Lead the team', plannedSessions: '6', frequency: 'monthly' });
	expect(made.ok).toBe(true);
	if (!made.ok) return;
	const view = await getForMember(made.value.id, signed.value.user.id);
	expect(view).toMatchObject({ title: 'Leadership', role: 'coach', members: [{ name: 'Casey Coach', role: 'coach' }] });
	expect(await getForMember(made.value.id, 'someone-else')).toBeNull();
});
