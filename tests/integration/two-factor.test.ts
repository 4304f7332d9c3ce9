/**
 * Two-factor sign-in (issue 17) over real HTTP, socket.io and the pad
 * endpoint, on SQLite and PostgreSQL: a right password for an account with
 * an authenticator app gives only a pending step that opens nothing; a code
 * (never the same one twice) or a recovery code (once each) finishes it;
 * wrong codes are throttled and audited; a reset link does not bypass it;
 * and a coach's "require two-factor sign-in" keeps members without it out of
 * the session page, the room and the pad with a code, until they set it up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { AddressedVisitor, Visitor, uniqueEmail } from '../helpers/http.ts';
import { linkFor } from '../helpers/mailbox.ts';
import { connect, connected, request, type ClientSocket } from '../helpers/socket.ts';
import { rawPadSocket, until } from '../helpers/pad.ts';
import { setUpTotp, totpCode } from '../helpers/two-factor.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.ts';
import { CloseCode, padName } from '../../shared/pad/index.ts';

const PASSWORD = 'correct horse battery';

describe.each<DbKind>(['sqlite', 'postgres'])('two-factor sign-in on %s', (db) => {
	let server: TestServer;
	let smtp: TestSmtp;
	const sockets: ClientSocket[] = [];
	beforeAll(async () => {
		smtp = await startSmtp();
		server = await startServer({ db, env: { SMTP_URL: smtp.url, ADDRESS_HEADER: 'X-Forwarded-For' } });
	});
	afterAll(async () => {
		for (const s of sockets) s.close();
		await server?.cleanup();
		await smtp?.close();
	});

	const person = async (name: string) => {
		const v = new AddressedVisitor(server.url);
		const email = uniqueEmail(name.toLowerCase());
		await v.signUp(name, email, PASSWORD);
		return { v, email };
	};
	const activity = async (v: Visitor) => (await v.get('/settings/activity')).text();
	/** Password right: the visitor now holds only the pending cookie. */
	const passwordStep = async (v: Visitor, email: string, next = '/engagements/new') => {
		const r = await v.action(`/signin?next=${encodeURIComponent(next)}`, { email, password: PASSWORD });
		expect(r).toMatchObject({ type: 'redirect', location: `/signin/second-factor?next=${encodeURIComponent(next)}` });
		expect(v.cookie).toMatch(/^confidante_pending=/);
		return v.cookie.split('=')[1]!;
	};
	const joinOver = async (cookie: string, sessionId: string) => {
		const s = connect(server.url, cookie);
		sockets.push(s);
		await connected(s);
		return request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	};

	it('asks for the code after the password; the pending step opens nothing; a code works once', async () => {
		const { v, email } = await person('Tara');
		const { key, step, recoveryCodes } = await setUpTotp(v);
		expect(recoveryCodes).toHaveLength(10);
		expect(await activity(v)).toContain('Two-factor sign-in turned on');

		const phone = new AddressedVisitor(server.url);
		const pending = await passwordStep(phone, email);
		// The pending token is no session, under either cookie name.
		for (const cookie of [phone.cookie, `confidante_session=${pending}`]) {
			const page = await fetch(`${server.url}/settings`, { redirect: 'manual', headers: { cookie } });
			expect(page.status).toBe(303);
			expect(page.headers.get('location')).toMatch(/^\/signin/);
		}
		await expect(connected(connect(server.url, `confidante_session=${pending}`))).rejects.toThrow();
		// The code typed at set-up is spent: replaying it is refused.
		const replay = await phone.action('/signin/second-factor?next=%2Fengagements%2Fnew', { code: totpCode(key, step) });
		expect(replay).toMatchObject({ type: 'failure', status: 401, data: { error: { code: 'unauthenticated', field: 'code' } } });
		const wrong = await phone.action('/signin/second-factor?next=%2Fengagements%2Fnew', { code: '000000' === totpCode(key, step + 1) ? '111111' : '000000' });
		expect(wrong).toMatchObject({ type: 'failure', status: 401 });
		const good = await phone.action('/signin/second-factor?next=%2Fengagements%2Fnew', { code: totpCode(key, step + 1) });
		expect(good).toMatchObject({ type: 'redirect', location: '/engagements/new' });
		expect(phone.cookie).toMatch(/^confidante_session=/);
		expect((await phone.get('/settings')).status).toBe(200);
		// The pending step was used up with it.
		const again = await fetch(`${server.url}/signin/second-factor`, { redirect: 'manual', headers: { cookie: `confidante_pending=${pending}` } });
		expect(again.headers.get('location')).toMatch(/^\/signin\?.*expired=1/);
		const log = await activity(phone);
		expect(log).toContain('Wrong second-factor code');
	});

	it('a recovery code signs in once; regenerating makes the old ones stop working', async () => {
		const { v, email } = await person('Ravi');
		const { recoveryCodes } = await setUpTotp(v);
		const a = new AddressedVisitor(server.url);
		await passwordStep(a, email);
		expect(await a.action('/signin/second-factor', { recoveryCode: recoveryCodes[0]!.toUpperCase() })).toMatchObject({ type: 'redirect', location: '/' });
		expect(await activity(a)).toContain('A recovery code was used (9 left)');
		const b = new AddressedVisitor(server.url);
		await passwordStep(b, email);
		expect(await b.action('/signin/second-factor', { recoveryCode: recoveryCodes[0]! })).toMatchObject({ type: 'failure', status: 401, data: { error: { field: 'recoveryCode' } } });
		// New codes need the password; then an old unused one no longer works and a new one does.
		expect(await v.action('/settings/security?/regenerate', { password: 'not my password' })).toMatchObject({ type: 'failure', status: 401 });
		const fresh = await v.action('/settings/security?/regenerate', { password: PASSWORD });
		expect(fresh.type).toBe('success');
		expect(await b.action('/signin/second-factor', { recoveryCode: recoveryCodes[1]! })).toMatchObject({ type: 'failure', status: 401 });
		expect(await b.action('/signin/second-factor', { recoveryCode: fresh.data.recoveryCodes[1] })).toMatchObject({ type: 'redirect' });
	});

	it('pauses after five wrong codes, even for the right one, and says so in the log', async () => {
		const { v, email } = await person('Uma');
		const { key, step } = await setUpTotp(v);
		const guesser = new AddressedVisitor(server.url);
		await passwordStep(guesser, email);
		const right = totpCode(key, step + 1);
		const wrongCodes = ['000000', '111111', '222222', '333333', '444444', '555555'].filter((c) => c !== right).slice(0, 5);
		for (const code of wrongCodes) expect(await guesser.action('/signin/second-factor', { code })).toMatchObject({ type: 'failure', status: 401 });
		expect(await guesser.action('/signin/second-factor', { code: right })).toMatchObject({ type: 'failure', status: 429, data: { error: { code: 'rate_limited' } } });
		// From another address too: the pause is the account's.
		const other = new AddressedVisitor(server.url);
		await passwordStep(other, email);
		expect(await other.action('/signin/second-factor', { code: right })).toMatchObject({ type: 'failure', status: 429 });
		const log = await activity(v);
		expect(log.match(/Wrong second-factor code/g)?.length).toBe(5);
		expect(log).toContain('Sign-in paused after too many attempts');
	});

	it('a password reset does not bypass the second factor', async () => {
		const { v, email } = await person('Noor');
		await setUpTotp(v);
		const r = await new AddressedVisitor(server.url).action('/reset', { email });
		expect(r.type).toBe('success');
		const link = await linkFor(server.url, email, '/reset/');
		const resetter = new AddressedVisitor(server.url);
		const done = await resetter.action(link, { password: 'a brand new passphrase here' });
		expect(done).toMatchObject({ type: 'redirect', location: expect.stringMatching(/^\/signin\/second-factor\?next=/) });
		expect(resetter.cookie).toMatch(/^confidante_pending=/);
		expect((await resetter.get('/settings')).status).toBe(303);
	});

	it('turning it off needs the password; afterwards the password alone signs in', async () => {
		const { v, email } = await person('Omar');
		await setUpTotp(v);
		expect(await v.action('/settings/security?/disable', { password: 'wrong password' })).toMatchObject({ type: 'failure', status: 401, data: { error: { field: 'disable-password' } } });
		expect(await v.action('/settings/security?/disable', {})).toMatchObject({ type: 'failure', status: 400 });
		expect(await v.action('/settings/security?/disable', { password: PASSWORD })).toMatchObject({ type: 'success' });
		expect(await activity(v)).toContain('Two-factor sign-in turned off');
		expect(await new AddressedVisitor(server.url).action('/signin', { email, password: PASSWORD })).toMatchObject({ type: 'redirect', location: '/' });
	});

	it('passkey endpoints refuse the signed-out, malformed answers and answers to no challenge', async () => {
		const signedOut = await fetch(`${server.url}/settings/security/passkey`);
		expect(signedOut.status).toBe(401);
		const { v } = await person('Paz');
		const options = (await (await v.get('/settings/security/passkey')).json()) as { challenge: string; rp: { id: string }; user: { name: string } };
		expect(options.rp.id).toBe('localhost');
		expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const post = (path: string, body: unknown, who?: Visitor) =>
			fetch(`${server.url}${path}`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/json', cookie: who?.cookie ?? '' }, body: JSON.stringify(body) });
		expect((await post('/settings/security/passkey', { name: 'x' }, v)).status).toBe(400);
		// Well-formed, but for a challenge the server never issued: refused, nothing stored.
		const b64url = (s: string) => Buffer.from(s).toString('base64url');
		const forged = { name: 'Forged', clientDataJSON: b64url(JSON.stringify({ type: 'webauthn.create', challenge: b64url('not issued'), origin: server.url })), attestationObject: b64url('junk') };
		const refused = await post('/settings/security/passkey', forged, v);
		expect(refused.status).toBe(410);
		expect(((await refused.json()) as { message: string }).message).toMatch(/expired/);
		expect(await (await v.get('/settings/security')).text()).toContain('No passkeys yet.');
		// Signing in with a passkey: a made-up answer to a made-up challenge.
		const signIn = await post('/signin/passkey', { credentialId: b64url('nobody'), clientDataJSON: b64url(JSON.stringify({ type: 'webauthn.get', challenge: b64url('x'), origin: server.url })), authenticatorData: b64url('a'), signature: b64url('s') });
		expect(signIn.status).toBe(410);
		expect(signIn.headers.getSetCookie()).toEqual([]);
		expect((await post('/signin/passkey', 'junk')).status).toBe(400);
		// The second-step endpoint needs a pending sign-in.
		expect((await fetch(`${server.url}/signin/second-factor/passkey`)).status).toBe(410);
	});

	it("the coach's requirement keeps a coachee without it out of the session page, room and pad, until they set it up", async () => {
		const coach = await person('Casey');
		const coachee = await person('Sam');
		const stranger = await person('Stella');
		const engagementId = await coach.v.createEngagement();
		expect((await coachee.v.acceptInvite(await coach.v.createInvite(engagementId))).type).toBe('redirect');
		const sessionId = await coach.v.scheduleSession(engagementId, 10, 60, 'introductory');

		// A coach without it cannot require it (they would lock themselves out); a coachee cannot require it at all.
		expect(await coach.v.action(`/engagements/${engagementId}?/requireTwoFactor`, { required: 'on' })).toMatchObject({ type: 'failure', status: 409 });
		expect(await coachee.v.action(`/engagements/${engagementId}?/requireTwoFactor`, { required: 'on' })).toMatchObject({ type: 'failure', status: 404 });
		await setUpTotp(coach.v);
		expect(await coach.v.action(`/engagements/${engagementId}?/requireTwoFactor`, { required: 'on' })).toMatchObject({ type: 'success', data: { twoFactorRequired: true } });

		const page = await coachee.v.get(`/sessions/${sessionId}`);
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe(`/engagements/${engagementId}?twofactor=required`);
		const told = await (await coachee.v.get(`/engagements/${engagementId}?twofactor=required`)).text();
		expect(told).toContain('Your coach requires two-factor sign-in for this engagement.');
		expect(told).toContain('href="/settings/security?from=engagement"');
		expect(await joinOver(coachee.v.cookie, sessionId)).toMatchObject({ ok: false, error: { code: 'two_factor_required' } });
		const pad = await rawPadSocket(server.url, coachee.v.cookie, padName(sessionId, 'shared'));
		expect((await pad.closed).code).toBe(CloseCode.twoFactorRequired);

		// The coach (who has it) is in; a stranger still learns nothing.
		expect((await coach.v.get(`/sessions/${sessionId}`)).status).toBe(200);
		expect(await joinOver(coach.v.cookie, sessionId)).toMatchObject({ ok: true });
		expect((await stranger.v.get(`/sessions/${sessionId}`)).status).toBe(404);
		expect(await joinOver(stranger.v.cookie, sessionId)).toMatchObject({ ok: false, error: { code: 'not_found' } });
		expect(await (await stranger.v.get(`/engagements/${engagementId}`)).text()).not.toContain('requires two-factor');

		await setUpTotp(coachee.v);
		expect((await coachee.v.get(`/sessions/${sessionId}`)).status).toBe(200);
		expect(await joinOver(coachee.v.cookie, sessionId)).toMatchObject({ ok: true });
		const open = await rawPadSocket(server.url, coachee.v.cookie, padName(sessionId, 'shared'));
		// Admitted: the server starts syncing the document.
		await until(() => open.frames.length > 0, 10_000, 'the pad to send its first sync message');
		open.ws.close();

		// Stopping the requirement lets everyone in again.
		expect(await coach.v.action(`/engagements/${engagementId}?/requireTwoFactor`, { required: 'off' })).toMatchObject({ type: 'success', data: { twoFactorRequired: false } });
	});
});
