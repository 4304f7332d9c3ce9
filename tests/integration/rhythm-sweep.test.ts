/**
 * The rhythm's sweep on both stores, with the scheduler's clock in the
 * test's hands and a real SMTP server: the nudge to the coach once the gap
 * since the last session exceeds the agreed frequency with nothing booked
 * (not on the due day itself, not when a session is booked, and once however
 * often the sweep runs); the email to an action's owner when it falls due
 * (not before, not once it is done, once).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresSchema } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/http.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { openStore, type Store } from '../../server/store/index.ts';
import { createAuth } from '../../server/auth/index.ts';
import { createEngagements } from '../../server/engagements/index.ts';
import { createScheduler } from '../../server/scheduler/index.ts';
import { createRhythm } from '../../server/rhythm/index.ts';
import { createLogger } from '../../server/log/index.ts';
import { createMailQueue } from '../../server/mail/queue.ts';
import { smtpTransport } from '../../server/mail/transport.ts';
import { openActionsBefore } from '../../server/pad/carry-over.ts';
import { insertAction, newAction, padName } from '../../shared/pad/index.ts';
import { limits } from '../../server/config/index.ts';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const dateOf = (at: number) => new Date(at).toISOString().slice(0, 10);

for (const kind of ['sqlite', 'postgres'] as const) {
	describe(`nudges and due-action emails on ${kind}`, () => {
		let store: Store;
		let smtp: TestSmtp;
		let dir: string;
		let cleanup = async () => {};
		beforeAll(async () => {
			smtp = await startSmtp({ keep: (m) => /^(Nothing booked|Action due)/.test(m.subject ?? '') });
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidante-sweep-'));
			if (kind === 'sqlite') store = await openStore({ dataDir: dir });
			else {
				const s = await freshPostgresSchema();
				store = await openStore({ dataDir: dir, databaseUrl: s.url });
				cleanup = s.drop;
			}
		});
		afterAll(async () => {
			await store?.close();
			await cleanup();
			await smtp?.close();
			fs.rmSync(dir, { recursive: true, force: true });
		});

		it('nudges the coach once when the rhythm slips with nothing booked, and tells the owner once when an open action falls due', async () => {
			const log = createLogger('silent');
			const auth = createAuth(store.db);
			const engagements = createEngagements(store.db, auth, { contractInForce: async () => ({ version: 1, sessions: 6 }) });
			const person = async (name: string) => {
				const email = uniqueEmail(name.toLowerCase().replace(/\W+/g, '-'));
				const r = await auth.createAccount({ name, email, password: 'a sturdy passphrase 42' });
				if (!r.ok) throw new Error(r.error.message);
				return { id: r.value.user.id, email };
			};
			const pads = new Map<string, Y.Doc>();

			// Two engagements, each with session 1 held (an hour from now on the real clock) and one action due two days after it.
			const T0 = Date.now() + HOUR;
			const due = dateOf(T0 + 2 * DAY);
			async function engagementWithHeldSession(title: string) {
				const coach = await person(`Coach ${title}`);
				const coachee = await person(`Coachee ${title}`);
				const e = await engagements.create(coach.id, { kind: 'coaching', title, goals: 'Run the meeting well', plannedSessions: 6, frequency: 'weekly' });
				if (!e.ok) throw new Error(e.error.message);
				const inv = await engagements.createInvite(e.value.id, coach.id);
				if (!inv.ok) throw new Error(inv.error.message);
				await engagements.acceptInvite(inv.value.token, coachee.id);
				const s1 = await engagements.scheduleSession(e.value.id, coach.id, { scheduledAt: new Date(T0).toISOString(), durationMinutes: 60 });
				if (!s1.ok) throw new Error(s1.error.message);
				await engagements.setSessionStatus(s1.value.id, 'live');
				await engagements.setSessionStatus(s1.value.id, 'ended');
				const doc = new Y.Doc();
				const action = newAction(coachee.id, { text: `Draft the memo for ${title}`, owner: 'coachee', ownerUserId: coachee.id, due });
				insertAction(doc, action);
				pads.set(padName(s1.value.id, 'shared'), doc);
				return { id: e.value.id, coach, coachee, action };
			}
			const slipping = await engagementWithHeldSession('Slipping');
			const booked = await engagementWithHeldSession('Booked');
			// The second one has session 2 booked well ahead, and its action is done before it falls due.
			const s2 = await engagements.scheduleSession(booked.id, booked.coach.id, { scheduledAt: new Date(T0 + 30 * DAY).toISOString(), durationMinutes: 60 });
			expect(s2.ok).toBe(true);

			let clock = T0 + 2 * HOUR;
			const scheduler = createScheduler({ db: store.db, dialect: store.dialect, log, clock: () => clock });
			const mail = createMailQueue({ db: store.db, log, transport: smtpTransport(smtp.url), from: 'Confidante <noreply@example.org>' });
			const rhythm: ReturnType<typeof createRhythm> = createRhythm({
				db: store.db,
				log,
				mail,
				scheduler,
				origin: 'http://confidante.test',
				engagements,
				contractPlan: async () => ({ version: 1, sessions: 6, frequency: 'weekly', sessionMinutes: 60, startDate: dateOf(Date.now()), endDate: dateOf(Date.now() + 365 * DAY) }),
				openActions: (id) =>
					openActionsBefore(id, Infinity, { sessions: engagements, store: { exists: async () => false, load: async () => ({ snapshot: null, updates: [] }) } as never, loaded: (n) => pads.get(n), betweenUpdates: (e) => rhythm.betweenUpdates(e) }, true),
				timeZones: (ids) => auth.timeZonesOf(ids)
			});
			await mail.start();
			await rhythm.start();
			const ours = new Set([slipping, booked].flatMap((e) => [e.coach.email, e.coachee.email]));
			const received = () => smtp.received.filter((m) => [m.to].flat().some((t) => t?.value.some((v) => ours.has(v.address ?? ''))));
			const settle = async () => {
				await new Promise((r) => setTimeout(r, 1500));
				return received().map((m) => `${[m.to].flat()[0]?.value[0]?.address} ${m.subject}`).sort();
			};
			/** Moves the clock and runs every sweep due by then (each plans the next one). */
			const sweepAt = async (at: number) => {
				clock = at;
				while ((await scheduler.runDue()) > 0);
				mail.kick();
			};
			try {
				// Right after the session: nothing is due, nothing slipped.
				await sweepAt(T0 + 2 * HOUR);
				expect(await settle()).toEqual([]);

				// The coachee of the second engagement marks the action done before it falls due.
				expect((await rhythm.updateAction(booked.id, booked.coachee.id, { actionId: booked.action.id, status: 'done', comment: 'Sent it early' })).ok).toBe(true);

				// The due day (in the owner's zone, UTC here): only the still-open action's owner is told.
				await sweepAt(Date.parse(`${due}T09:00:00Z`));
				await smtp.waitFor(1, 10_000);
				expect(await settle()).toEqual([`${slipping.coachee.email} Action due: Draft the memo for Slipping`]);
				const dueMail = received()[0]!;
				expect(dueMail.text).toContain(`is due ${due}`);
				expect(dueMail.text).toContain(`http://confidante.test/engagements/${slipping.id}`);

				// A week after session 1 is the due day of session 2: not behind yet. The day after: the coach of the
				// engagement with nothing booked is nudged; the other coach is not.
				const nextDue = dateOf(T0 + 7 * DAY);
				await sweepAt(Date.parse(`${nextDue}T23:00:00Z`));
				expect(await settle()).toHaveLength(1);
				await sweepAt(Date.parse(`${nextDue}T23:00:00Z`) + 2 * HOUR);
				await smtp.waitFor(2, 10_000);
				const nudged = await settle();
				expect(nudged).toEqual([`${slipping.coach.email} Nothing booked: time to schedule the next session`, `${slipping.coachee.email} Action due: Draft the memo for Slipping`].sort());
				expect(received().find((m) => m.subject?.startsWith('Nothing booked'))?.text).toContain(`http://confidante.test/engagements/${slipping.id}`);

				// Sweeps go on (hourly, then days later): neither email is sent again.
				for (const later of [3 * HOUR, limits.rhythm.sweepEveryMs * 5, 3 * DAY]) await sweepAt(Date.parse(`${nextDue}T23:00:00Z`) + 2 * HOUR + later);
				expect(await settle()).toEqual(nudged);
			} finally {
				await mail.close();
				await scheduler.close();
			}
		}, 60_000);
	});
}
