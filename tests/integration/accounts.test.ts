/**
 * Accounts people can trust (issue 17), over real HTTP, socket.io and the pad
 * endpoint, on SQLite and PostgreSQL: redirects stay on the site, sign-up
 * and reset answer the same whether or not an address has an account,
 * sign-in and sign-up are throttled per address and per account, mail waits
 * for a confirmed address, a reset ends every session, and signing out
 * (any way) closes that session's live connections at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index.ts';
import { startServer, type DbKind, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { AddressedVisitor, Visitor, agreeContract, coachingPair, uniqueEmail } from '../helpers/http.ts';
import { accountMailTo, linkFor } from '../helpers/mailbox.ts';
import { connect, connected } from '../helpers/socket.ts';
import { padClient, until } from '../helpers/pad.ts';
import { insertAction, newAction, readActions } from '../../shared/pad/index.ts';

const PASSWORD = 'correct horse battery';
/** A person behind their own address (the test server trusts X-Forwarded-For, as behind a proxy). */
const Person = AddressedVisitor;

const subjects = async (base: string, email: string) => (await accountMailTo(base, email)).map((m) => m.subject);

describe.each<DbKind>(['sqlite', 'postgres'])('accounts on %s', (db) => {
	let server: TestServer;
	let smtp: TestSmtp;
	beforeAll(async () => {
		smtp = await startSmtp();
		server = await startServer({ db, env: { SMTP_URL: smtp.url, ADDRESS_HEADER: 'X-Forwarded-For', SIGNUPS_PER_ADDRESS_PER_HOUR: '5' } });
	});
	afterAll(async () => {
		await server?.cleanup();
		await smtp?.close();
	});

	it('follows only same-site paths after sign-in and sign-up', async () => {
		const email = uniqueEmail('rhea');
		await new Person(server.url).signUp('Rhea', email, PASSWORD, '/\\evil.example');
		for (const next of ['/%5Cevil.example', '/%5C%5Cevil.example', '/%09/evil.example', '//evil.example', 'https://evil.example', '/%0a/evil.example']) {
			const r = await new Person(server.url).action(`/signin?next=${next}`, { email, password: PASSWORD });
			expect(r, next).toMatchObject({ type: 'redirect', location: '/' });
		}
		const good = await new Person(server.url).action('/signin?next=%2Fengagements%2Fnew', { email, password: PASSWORD });
		expect(good.location).toBe('/engagements/new');
		// Signed in already: the sign-in page redirects too, by the same rule.
		const signedIn = new Person(server.url);
		await signedIn.signIn(email);
		const page = await signedIn.get('/signin?next=/%5Cevil.example');
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe('/');
		// A finished sign-up continues only to a same-site path (the helper's sign-up above asked for /\evil.example).
		const other = new Person(server.url);
		const sent = await other.action(`/signup?next=${encodeURIComponent('/\t/evil.example')}`, { name: 'Tia', email: uniqueEmail('tia'), password: PASSWORD });
		expect(sent.type).toBe('success');
		const done = await other.action(await linkFor(server.url, sent.data.sent, '/signup/confirm/'));
		expect(done).toMatchObject({ type: 'redirect', location: '/' });
	});

	it('refuses common and guessable passwords with the library’s feedback', async () => {
		for (const password of ['1234567890', 'password123', 'qwertyuiop']) {
			const r = await new Person(server.url).action('/signup', { name: 'Wes', email: uniqueEmail('wes'), password });
			expect(r, password).toMatchObject({ type: 'failure', status: 400, data: { error: { field: 'password' } } });
			expect(r.data.error.message).toMatch(/frequently used|commonly used/);
		}
	});

	it('answers sign-up the same whether or not the address has an account, and tells the owner', async () => {
		const owner = uniqueEmail('olga');
		await new Person(server.url).signUp('Olga Owner', owner);
		const fresh = uniqueEmail('nina');
		const a = new Person(server.url);
		const b = new Person(server.url);
		const taken = await a.action('/signup', { name: 'Mallory', email: owner, password: 'a different passphrase' });
		const free = await b.action('/signup', { name: 'Nina', email: fresh, password: 'a different passphrase' });
		expect({ ...taken, data: { ...taken.data, sent: '' } }).toEqual({ ...free, data: { ...free.data, sent: '' } });
		expect(taken.data.sent).toBe(owner);
		expect(a.cookie).toBe('');
		expect(b.cookie).toBe('');
		await until(() => smtp.accountMail.some((m) => m.subject === 'Someone tried to sign up with your address'), 10_000, 'the owner’s warning');
		expect(await subjects(server.url, owner)).toEqual(['Finish creating your Confidante account', 'Someone tried to sign up with your address']);
		// Mallory's attempt changed nothing: Olga's password still works, Mallory's does not.
		expect((await new Person(server.url).action('/signin', { email: owner, password: 'a different passphrase' })).status).toBe(401);
		await new Person(server.url).signIn(owner);
		// The owner sees the attempt in their activity.
		const olga = new Person(server.url);
		await olga.signIn(owner);
		expect(await (await olga.get('/settings/activity')).text()).toContain('Someone tried to sign up with your address');
	});

	it('throttles sign-in per address and per account, and sign-up per address', async () => {
		const prober = new Person(server.url, '203.0.113.9');
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++) statuses.push((await prober.action('/signin', { email: uniqueEmail(`probe${i}`), password: 'not the password' })).status);
		expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
		// Another address is not affected.
		expect((await new Person(server.url, '203.0.113.10').action('/signin', { email: uniqueEmail('x'), password: 'not the password' })).status).toBe(401);

		const target = uniqueEmail('tara');
		await new Person(server.url).signUp('Tara Target', target);
		const spread: number[] = [];
		for (let i = 0; i < 21; i++) spread.push((await new Person(server.url, `192.0.2.${i + 1}`).action('/signin', { email: target, password: `guess number ${i}` })).status);
		expect(spread.slice(0, 20).every((s) => s === 401)).toBe(true);
		expect(spread[20]).toBe(429);

		const signups: number[] = [];
		for (let i = 0; i < 6; i++) signups.push((await new Person(server.url, '203.0.113.77').action('/signup', { name: 'Bot', email: uniqueEmail(`bot${i}`), password: PASSWORD })).status);
		expect(signups).toEqual([200, 200, 200, 200, 200, 429]);
	});

	it('holds mail to an unconfirmed address, says so, and sends it once confirmed', async () => {
		const coach = new Person(server.url);
		const coachee = new Person(server.url);
		const coacheeEmail = uniqueEmail('ulla');
		await coach.signUp('Casey Coach', uniqueEmail('casey'));
		await coachee.signUp('Ulla Unconfirmed', coacheeEmail);
		const engagementId = await coach.createEngagement();
		expect((await coachee.acceptInvite(await coach.createInvite(engagementId))).type).toBe('redirect');
		expect(await (await coachee.get('/settings/activity')).text()).toContain('Role in an engagement changed: coachee in “Leading the new team”');
		// An account from before confirmation existed: its address was never confirmed.
		await server.stop();
		const store = await openStore({ dataDir: server.dataDir, databaseUrl: server.env.DATABASE_URL });
		await store.db.updateTable('users').set({ email_confirmed_at: null }).where('email', '=', coacheeEmail).execute();
		await store.close();
		await server.restart();

		expect(await (await coachee.get('/')).text()).toContain('Confirm your address to receive emails');
		expect(await (await coach.get('/')).text()).not.toContain('Confirm your address to receive emails');
		await agreeContract({ visitor: coach, name: 'Casey Coach' }, [{ visitor: coachee, name: 'Ulla Unconfirmed' }], engagementId);
		const toCoachee = () => smtp.received.filter((m) => [m.to].flat().some((a) => a?.text.includes(coacheeEmail)));
		await new Promise((r) => setTimeout(r, 1500));
		expect(toCoachee()).toHaveLength(0);

		const asked = await coachee.action('/confirm');
		expect(asked).toMatchObject({ type: 'success', data: { sent: coacheeEmail } });
		const link = await linkFor(server.url, coacheeEmail, '/confirm/');
		expect((await coachee.get(link)).status).toBe(200);
		expect(toCoachee()).toHaveLength(0); // opening the page does not use the link
		expect(await coachee.action(link)).toMatchObject({ type: 'success', data: { confirmed: true } });
		await until(() => toCoachee().length > 0, 10_000, 'the held mail');
		expect(await coachee.action(link)).toMatchObject({ type: 'failure', status: 410 });
		expect(await (await coachee.get('/')).text()).not.toContain('Confirm your address to receive emails');
	});

	it('resets a password by a single-use link, the same answer for unknown addresses, ending every session', async () => {
		const email = uniqueEmail('rosa');
		const laptop = new Person(server.url);
		await laptop.signUp('Rosa Reset', email);
		const phone = new Person(server.url);
		await phone.signIn(email);
		const socket = connect(server.url, phone.cookie);
		await connected(socket);
		const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

		const known = await new Person(server.url).action('/reset', { email });
		const unknown = await new Person(server.url).action('/reset', { email: uniqueEmail('nobody') });
		expect({ ...known, data: { sent: '' } }).toEqual({ ...unknown, data: { sent: '' } });
		const link = await linkFor(server.url, email, '/reset/');
		const stranger = new Person(server.url);
		expect(await stranger.action(link, { password: 'password123' })).toMatchObject({ type: 'failure', status: 400, data: { error: { field: 'password' } } });
		const done = await stranger.action(link, { password: 'a brand new passphrase' });
		expect(done).toMatchObject({ type: 'redirect', location: '/settings/devices?reset=1' });
		expect(await disconnected).toBe('io server disconnect');
		for (const old of [laptop, phone]) expect(await (await old.get('/')).text()).not.toContain('Hello, Rosa');
		expect(await stranger.action(link, { password: 'yet another passphrase' })).toMatchObject({ type: 'failure', status: 410 });
		expect((await new Person(server.url).action('/signin', { email, password: PASSWORD })).status).toBe(401);
		await new Person(server.url).signIn(email, 'a brand new passphrase');
		expect(await (await stranger.get('/settings/activity')).text()).toContain('Password changed by reset link');
	});

	it('signing out closes that session’s live socket.io and pad connections at once', async () => {
		const { coach, coachee, sessionId } = await coachingPair(server.url);
		const coachPad = padClient(server.url, coach.cookie, sessionId);
		const coacheePad = padClient(server.url, coachee.cookie, sessionId);
		await Promise.all([coachPad.synced(), coacheePad.synced()]);
		const socket = connect(server.url, coachee.cookie);
		await connected(socket);
		const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
		insertAction(coacheePad.doc, newAction('coachee', { text: 'before sign-out' }));
		await until(() => readActions(coachPad.doc).length === 1, 5000, 'the edit before sign-out');

		await coachee.post('/signout', {});
		expect(await gone).toBe('io server disconnect');
		await until(() => coacheePad.closes.some((c) => c.code === 4401), 2000, 'the pad closed with 4401');
		insertAction(coacheePad.doc, newAction('coachee', { text: 'after sign-out' }));
		await new Promise((r) => setTimeout(r, 500));
		expect(readActions(coachPad.doc).map((a) => a.text)).toEqual(['before sign-out']);
		coacheePad.destroy();

		coachPad.destroy();
		socket.close();
	});

	it('signs out one device from the devices page, then everywhere, closing their live connections', async () => {
		const email = uniqueEmail('dev');
		const laptop = new Person(server.url);
		await laptop.signUp('Devi Devices', email);
		const phone = new Person(server.url);
		await phone.signIn(email);
		const [laptopSocket, phoneSocket] = [connect(server.url, laptop.cookie), connect(server.url, phone.cookie)];
		await Promise.all([connected(laptopSocket), connected(phoneSocket)]);
		const phoneGone = new Promise<string>((resolve) => phoneSocket.once('disconnect', resolve));
		const laptopGone = new Promise<string>((resolve) => laptopSocket.once('disconnect', resolve));

		const page = await (await laptop.get('/settings/devices')).text();
		expect([...page.matchAll(/name="device" value="[0-9a-f]{24}"/g)]).toHaveLength(2);
		const phoneHandle = await currentHandle(phone);
		expect(phoneHandle).toBeDefined();
		expect(await laptop.action('/settings/devices?/signOut', { device: phoneHandle! })).toMatchObject({ type: 'success', data: { signedOut: true } });
		expect(await phoneGone).toBe('io server disconnect');
		expect(laptopSocket.connected).toBe(true);
		expect(await (await phone.get('/')).text()).not.toContain('Hello, Devi');
		// Someone else's device handle is not theirs to sign out.
		const other = new Person(server.url);
		await other.signUp('Otto Other', uniqueEmail('otto'));
		expect(await other.action('/settings/devices?/signOut', { device: (await currentHandle(laptop))! })).toMatchObject({ type: 'failure', status: 404 });
		expect(laptopSocket.connected).toBe(true);

		expect(await laptop.action('/settings/devices?/everywhere')).toMatchObject({ type: 'redirect', location: '/signin' });
		expect(await laptopGone).toBe('io server disconnect');
		const again = new Person(server.url);
		await again.signIn(email);
		const activity = await (await again.get('/settings/activity')).text();
		for (const line of ['A device was signed out', 'Signed out everywhere', 'Signed in', 'Account created', 'Address confirmed']) expect(activity).toContain(line);
	});
});

/** The device handle of a visitor's own session, as its devices page marks it. */
async function currentHandle(v: Visitor): Promise<string | undefined> {
	const html = await (await v.get('/settings/devices')).text();
	const current = /this device<\/span>[\s\S]*?name="device" value="([0-9a-f]{24})"/.exec(html);
	return current?.[1];
}

