/**
 * Builds the whole server on one port: the SvelteKit pages, socket.io and
 * the Yjs endpoint, over one store. `main.ts` runs it as a process; tests
 * start that process on a random port.
 */
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import { limits, type Config } from './config/index.ts';
import type { Logger } from './log/index.ts';
import { openStore } from './store/index.ts';
import { createAuth, throttles } from './auth/index.ts';
import { createEngagements } from './engagements/index.ts';
import { createContracts } from './contracts/index.ts';
import { createSponsors } from './sponsors/index.ts';
import { createReferrals } from './referrals/index.ts';
import { createPractice } from './practice/index.ts';
import { createProposals } from './proposals/index.ts';
import { createSchemes } from './schemes/index.ts';
import { createRooms, SOCKET_PATH } from './rooms/index.ts';
import { createPad } from './pad/index.ts';
import { refuseUnservedUpgrades } from './http/upgrades.ts';
import { PAD_PATH } from '../shared/pad/index.ts';
import { createPrompts } from './prompts/index.ts';
import { createMedia } from './media/index.ts';
import { createCallPrivacy } from './call-privacy/index.ts';
import { createMail } from './mail/index.ts';
import { createCalendar } from './calendar/index.ts';
import { createSummaries } from './summary/index.ts';
import { coachingLogOf, sharingOf } from '../shared/contract/body.ts';
import { padSources } from './summary/pad-source.ts';
import { clockFrom, createScheduler } from './scheduler/index.ts';
import { createRhythm } from './rhythm/index.ts';
import { createFeedback } from './feedback/index.ts';
import { createProgress } from './progress/index.ts';
import { createClosing } from './closing/index.ts';
import { closingSourcesFrom } from './closing/from-features.ts';
import { createYourData } from './yourdata/index.ts';
import { createCluster } from './cluster/index.ts';
import { provideServices, type Services } from './services.ts';
import { armFailpoints } from './failpoints/index.ts';
import { webServices } from './web-services.ts';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;

const root = path.resolve(import.meta.dirname, '..');

async function loadWebHandler(): Promise<NodeHandler> {
	const file = path.join(root, 'build', 'handler.js');
	if (!fs.existsSync(file)) throw new Error('The web app is not built; run `npm run build` (npm start does it for you).');
	return ((await import(pathToFileURL(file).href)) as { handler: NodeHandler }).handler;
}

export interface App {
	server: http.Server;
	services: Services;
	/** Stops accepting, tells clients why, flushes what must persist, closes the store. */
	close(reason: string): Promise<void>;
}

export async function createApp(config: Config, log: Logger): Promise<App> {
	armFailpoints(config.failpoints);
	// adapter-node reads these when its handler loads.
	// Without ORIGIN, adapter-node would assume https; this server speaks plain
	// http, so it states that itself and lets the Host header name the origin.
	if (config.origin) process.env.ORIGIN = config.origin;
	else process.env.PROTOCOL_HEADER = 'x-confidante-proto';
	process.env.BODY_SIZE_LIMIT = String(limits.http.maxBodyBytes);

	const store = await openStore({
		dataDir: config.dataDir,
		databaseUrl: config.databaseUrl,
		onError: (err) => log.error({ err }, 'SQLite checkpointer failed; restarting it')
	});
	// Several instances share presence, fan-out and leases through Redis; alone, nothing changes.
	const cluster = config.cluster ? createCluster(config.cluster, log) : null;
	const scheduler = createScheduler({ db: store.db, dialect: store.dialect, log, clock: clockFrom(config.clockFile) });
	const mail = createMail(config, store.db, log);
	const auth = createAuth(store.db, { mail, origin: config.origin, signUpsPerAddressPerHour: config.signUpsPerAddressPerHour, sessionLifetimeMs: config.sessionLifetimeMs, log: log.child({ feature: 'auth' }), throttle: throttles(cluster, log.child({ feature: 'auth' })) });
	// Mail to an account waits until its owner confirmed the address; mail to someone without an account
	// (a scoping link, a scheme invitation) goes, as that is how they are invited.
	mail.holdUnless(async (ids) => {
		const waiting = await auth.unconfirmedAmong(ids);
		return new Set(ids.filter((id) => !waiting.has(id)));
	});
	if (!config.origin) log.warn('ORIGIN is not set: links in account emails (sign-up, password reset) are built from the request\'s Host header; set ORIGIN in production');
	// Each needs the other: scheduling asks for the contract in force; contracts ask who the parties are.
	// Sessions' reminders are planned in the transaction that creates them.
	const engagements = createEngagements(store.db, auth, {
		contractInForce: (id) => contractInForce(id),
		onScheduled: (trx, rows, ids) => rhythm.onScheduled(trx, rows, ids),
		isSponsor: (id, userId) => sponsors.isSponsor(id, userId),
		hasSponsor: (id) => sponsors.hasSponsor(id),
		isClosed: (id) => closing.isClosed(id),
		withoutSecondFactor: (ids) => auth.twoFactor.withoutSecondFactor(ids),
		mail,
		log
	});
	const contracts = createContracts({
		db: store.db,
		dialect: store.dialect,
		parties: { members: engagements.members, engagementPlan: engagements.plan, adoptPlan: engagements.adoptPlan, scoping: (id) => proposals.prefillFor(id) },
		mail,
		origin: config.origin
	});
	const proposals = createProposals({
		db: store.db,
		dialect: store.dialect,
		mail,
		origin: config.origin,
		sources: {
			createEngagement: (coachId, input, within) => engagements.create(coachId, input, within),
			createInvite: (engagementId, coachId) => engagements.createInvite(engagementId, coachId),
			roleOf: async (engagementId, userId) => (await engagements.membership(userId, { engagementId }))?.role ?? null,
			people: (ids) => auth.usersByIds(ids)
		}
	});
	const sponsors = createSponsors({
		db: store.db,
		mail,
		origin: config.origin,
		sources: {
			members: engagements.members,
			engagement: engagements.plan,
			sessionDates: engagements.sessionDates,
			contractInForce: (id) => contracts.inForce(id),
			people: (ids) => auth.usersByIds(ids)
		}
	});
	const calendar = createCalendar({ db: store.db, engagements, auth, mail, origin: config.origin });
	const referrals = createReferrals({ db: store.db, parties: { members: engagements.members } });
	// The coach's hours log and supervision notes read engagements, sessions held, the contract's consent and the sponsor.
	const practice = createPractice({
		db: store.db,
		sources: {
			async coached(coachId) {
				const list = await engagements.listForUser(coachId);
				return list
					.filter((e) => e.role === 'coach')
					.map((e) => ({ id: e.id, title: e.title, kind: e.kind, createdAt: e.created_at, coachees: e.members.filter((m) => m.role === 'coachee').map(({ userId, name, email }) => ({ userId, name, email })) }));
			},
			sessionsOf: (id) => engagements.sessionsOf(id),
			async contract(id) {
				const v = await contracts.inForce(id);
				return v && { listByName: coachingLogOf(v.body).listByName, sponsor: v.body.stakeholders.sponsor };
			},
			sponsorPeople: (id) => sponsors.sponsorPeople(id),
			timeZone: (id) => auth.userTimeZone(id),
			// Called only once the server runs, after the summaries feature below exists.
			endedByThemselves: (ids) => summaries.endedByThemselves(ids),
			emptyRoomMs: config.emptySessionEndMs
		}
	});
	const schemes = createSchemes({ db: store.db, log, mail, origin: config.origin, people: (ids) => auth.usersByIds(ids), engagements });
	const contractInForce = async (id: string) => {
		const v = await contracts.inForce(id);
		return v && { version: v.version, sessions: v.body.plan.sessions, noticeHours: v.body.plan.noticeHours, sharing: sharingOf(v.body) };
	};
	const web = await loadWebHandler();

	let ready = true;
	const server = http.createServer((req, res) => {
		if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
		if (req.url === '/readyz') {
			if (!ready) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down');
			// With several instances, Redis too: a cut-off instance must leave the load balancer's rotation.
			Promise.all([store.ping(), cluster ? cluster.ping() : true]).then(
				([, redisOk]) =>
					redisOk ? res.writeHead(200, { 'content-type': 'text/plain' }).end('ready') : res.writeHead(503, { 'content-type': 'text/plain' }).end('redis unavailable'),
				(err: unknown) => {
					log.error({ err }, 'readiness check failed');
					res.writeHead(503, { 'content-type': 'text/plain' }).end('database unavailable');
				}
			);
			return;
		}
		if (Number(req.headers['content-length'] ?? 0) > limits.http.maxBodyBytes) {
			return void res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('Request too large.');
		}
		if (!config.origin) req.headers['x-confidante-proto'] = 'http';
		web(req, res);
	});
	server.on('clientError', (err, socket) => {
		log.debug({ err }, 'bad http request');
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
	});

	const rooms = createRooms({ httpServer: server, config, log, auth, engagements, cluster });
	const pad = await createPad({ httpServer: server, config, log, store, auth, engagements, betweenUpdates: (id) => rhythm.betweenUpdates(id), cluster });
	const rhythm = createRhythm({
		db: store.db,
		log,
		mail,
		scheduler,
		origin: config.origin,
		engagements,
		openActions: (id) => pad.openActions(id),
		actionUpdated: (id) => pad.actionUpdated(id),
		timeZones: (ids) => auth.timeZonesOf(ids),
		isClosed: (id) => closing.isClosed(id),
		async contractPlan(id) {
			const v = await contracts.inForce(id);
			if (!v) return null;
			const p = v.body.plan;
			return { version: v.version, sessions: p.sessions, frequency: p.frequency, sessionMinutes: p.sessionMinutes, startDate: p.startDate, endDate: p.endDate };
		}
	});
	refuseUnservedUpgrades(server, (path) => path === PAD_PATH || path.startsWith(PAD_PATH + '/') || path.startsWith(SOCKET_PATH + '/'), log);
	const prompts = createPrompts({ db: store.db, rooms, engagements, log, cluster });
	// Feedback is asked for once a session ends (its reminder is planned with the ending); progress rates the contract's goals.
	const feedback = createFeedback({ db: store.db, log, mail, scheduler, origin: config.origin, engagements });
	const progress = createProgress({
		db: store.db,
		log,
		engagements,
		async contractGoals(id) {
			const v = await contracts.inForce(id);
			return v && { version: v.version, goals: v.body.goals.map((g) => ({ id: g.id, statement: g.statement })) };
		}
	});
	const callPrivacy = createCallPrivacy({ db: store.db, log, membership: (userId, of) => engagements.membership(userId, of) });
	const media = await createMedia({ config, log, rooms, cluster, e2eeRequired: (sessionId) => callPrivacy.requiredForSession(sessionId) });
	// The summary reads the pad's final state and the prompts marked asked when a session ends.
	const summaries = createSummaries({
		db: store.db, config, log, engagements, rooms, mail, zoneOf: (id) => auth.userTimeZone(id), sponsors: (id) => sponsors.sponsorPeople(id),
		sources: padSources({ seal: (id) => pad.sessionEnded(id), finalState: (id) => pad.finalState(id), askedIn: (id) => prompts.askedIn(id), contractAt: (id, at) => contracts.inForceAt(id, at) }),
		afterEnd: (trx, ended) => feedback.onSessionEnded(trx, ended),
		scheduler, cluster
	});
	// The report's goal ratings and per-session feedback are what the progress and feedback features show each reader.
	const closingSources = closingSourcesFrom({ progress, feedback, engagements, log }, async (id) => (await engagements.members(id)).find((m) => m.role === 'coach')?.userId ?? null);
	const closing = createClosing({
		db: store.db, log, mail, scheduler, origin: config.origin, now: scheduler.now, engagements, sources: closingSources,
		members: (id) => engagements.members(id),
		sessionsOf: (id) => engagements.sessionsOf(id),
		acrossEngagement: (id, role, readerId) => summaries.acrossEngagement(id, role, readerId),
		groupSharing: (id) => engagements.groupSharing(id),
		goals: async (id) => ((await contracts.inForce(id))?.body.goals ?? []).map((g) => ({ id: g.id, statement: g.statement, targetDate: g.targetDate })),
		hasSponsor: (id) => sponsors.hasSponsor(id),
		async draftSponsorUpdate(id, coachId, text) {
			const r = await sponsors.draftUpdate(id, coachId, { text });
			return r.ok ? { ok: true, value: { id: r.value.id } } : r;
		}
	});
	// Export and erasure read every feature's tables through their groups; what lives outside the database comes from its owner.
	const yourData = createYourData({
		db: store.db, dialect: store.dialect, log, auth, engagements, sponsors,
		sources: { summaryMarkdown: (id, userId) => summaries.markdown(id, userId), padContent: (id, role) => pad.contentFor(id, role), mailFile: (id, userId) => mail.mailboxFile(id, userId) },
		outside: { erasePads: (ids, kinds) => pad.erase(ids, kinds), removeOutbox: (names) => mail.removeOutbox(names) }
	});
	const services: Services = { config, log, store, auth, engagements, contracts, sponsors, referrals, calendar, proposals, mail, schemes, rooms, media, prompts, summaries, pad, scheduler, rhythm, feedback, progress, practice, closing, callPrivacy, yourData, cluster };
	provideServices(webServices(services));
	await summaries.start();
	await schemes.start();
	await rhythm.start();
	feedback.start();
	await closing.start();
	await scheduler.start();

	return {
		server,
		services,
		async close(reason) {
			ready = false;
			await scheduler.close();
			await summaries.close();
			auth.live.stop();
			await rooms.close(reason);
			await pad.close(reason);
			await media.close();
			server.closeAllConnections();
			await cluster?.close();
			await store.close();
		}
	};
}
