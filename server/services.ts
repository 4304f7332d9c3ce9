/**
 * What the SvelteKit app may use of the server. The app is bundled
 * separately (build/handler.js) and runs in this same process, so it reaches
 * the one instance of each service through a global slot rather than
 * importing (and so duplicating) the modules. The slot holds `WebServices`,
 * only what routes use; `web-services.ts` builds it. This file imports only
 * types, so the web bundle takes nothing else from server/.
 */
import type { Cluster } from './cluster/index.ts';
import type { IncomingMessage } from 'node:http';
import type { Config } from './config/index.ts';
import type { Logger } from './log/index.ts';
import type { Store } from './store/index.ts';
import type { Auth, SecondFactor, SecondFactorNeeded, SignIn } from './auth/index.ts';
import type { SessionCookie } from './auth/cookies.ts';
import type { Engagements } from './engagements/index.ts';
import type { Contracts } from './contracts/index.ts';
import type { Sponsors } from './sponsors/index.ts';
import type { Referrals } from './referrals/index.ts';
import type { Calendar } from './calendar/index.ts';
import type { Proposals } from './proposals/index.ts';
import type { MailService } from './mail/index.ts';
import type { Schemes } from './schemes/index.ts';
import type { Rooms } from './rooms/index.ts';
import type { Pad } from './pad/index.ts';
import type { Summaries } from './summary/index.ts';
import type { Prompts } from './prompts/index.ts';
import type { Media } from './media/index.ts';
import type { Scheduler } from './scheduler/index.ts';
import type { Rhythm } from './rhythm/index.ts';
import type { Feedback } from './feedback/index.ts';
import type { Progress } from './progress/index.ts';
import type { Practice } from './practice/index.ts';
import type { Closing } from './closing/index.ts';
import type { CallPrivacy } from './call-privacy/index.ts';
import type { YourData } from './yourdata/index.ts';

/** Every feature of a running server, as `createApp` wires them. */
export interface Services {
	config: Config;
	log: Logger;
	store: Store;
	auth: Auth;
	engagements: Engagements;
	contracts: Contracts;
	sponsors: Sponsors;
	referrals: Referrals;
	calendar: Calendar;
	proposals: Proposals;
	mail: MailService;
	schemes: Schemes;
	rooms: Rooms;
	pad: Pad;
	summaries: Summaries;
	prompts: Prompts;
	media: Media;
	scheduler: Scheduler;
	rhythm: Rhythm;
	feedback: Feedback;
	progress: Progress;
	practice: Practice;
	closing: Closing;
	callPrivacy: CallPrivacy;
	yourData: YourData;
	/** Several instances' shared state (null when this process runs alone). */
	cluster: Cluster | null;
}

export type { User, TwoFactorStatus, TotpSetUp } from './auth/index.ts';
/** What a right password (or reset link) leads to: a session, or the second factor's step. */
export type SignInStep = SignIn | SecondFactorNeeded;
export type { SessionCookie } from './auth/cookies.ts';

/** What routes call on each feature; the builder copies exactly these. */
export const webMethods = {
	auth: [
		'prepareStrengthCheck', 'signUp', 'finishSignUp', 'signUpLinkValid', 'signIn', 'signOut', 'validateSessionToken', 'devices', 'signOutDevice', 'signOutEverywhere',
		'requestConfirmation', 'confirmEmail', 'requestPasswordReset', 'resetLinkValid', 'resetPassword', 'activity', 'recordExport', 'setTimeZone',
		'verifySecondFactor', 'signInWithPasskey'
	],
	twoFactor: ['status', 'startTotp', 'totpInProgress', 'confirmTotp', 'disableTotp', 'regenerateRecoveryCodes', 'pendingFor', 'enabledFor', 'passkeyRegistrationOptions', 'addPasskey', 'removePasskey', 'passkeySignInOptions'],
	engagements: ['create', 'listForUser', 'upcomingForUser', 'getForMember', 'scheduleSession', 'rescheduleSession', 'cancelSession', 'createInvite', 'describeInvite', 'acceptInvite', 'sessionAccess', 'roomAccess', 'setRequireTwoFactor'],
	summaries: ['view', 'correctionDraft', 'markdown', 'list', 'actionsByGoal', 'latestForSession', 'previousForSession', 'outbox', 'outboxMessage', 'retryDelivery', 'mailTransport', 'correctionMails'],
	contracts: ['versions', 'version', 'inForce', 'openDraft', 'saveDraft', 'send', 'accept'],
	sponsors: ['createLink', 'describeLink', 'acceptLink', 'view', 'sponsored', 'sponsorsOf', 'draftUpdate', 'decideUpdate', 'updatesFor'],
	referrals: ['propose', 'decide', 'markReferred', 'withdraw', 'listFor'],
	calendar: ['feedState', 'createFeed', 'revokeFeed', 'feed'],
	proposals: ['create', 'get', 'listForCoach', 'createLink', 'emailLink', 'describeLink', 'answer', 'take', 'decline', 'lifeOf'],
	mail: ['mailbox', 'mailboxFile'],
	rhythm: ['overview', 'proposeSeries', 'createSeries', 'setReminders', 'updateAction', 'preparation', 'prepare', 'agenda'],
	schemes: ['create', 'mine', 'about', 'overview', 'invite', 'describeInvite', 'acceptInvite', 'profile', 'saveProfile', 'request', 'myRequest', 'withdrawRequest', 'requestPage', 'propose', 'withdrawMatch', 'match', 'answer', 'endPlacement', 'feedback'],
	feedback: ['view', 'give', 'decline'],
	progress: ['series', 'ratingForm', 'rate'],
	practice: ['hoursLog', 'hoursCsv', 'setEngagementLog', 'supervision', 'addNote', 'editNote', 'deleteNote', 'supervisionMarkdown'],
	closing: ['close', 'answer', 'evaluate', 'answerFollowUp', 'view', 'report', 'reportMarkdown', 'reportPdf', 'statesFor'],
	callPrivacy: ['forMember', 'setRequired'],
	yourData: ['exportFor', 'deleteAccount', 'erasure', 'proposeErasure', 'agreeErasure', 'withdrawErasure'],
} as const satisfies {
	auth: readonly (keyof Auth)[];
	twoFactor: readonly (keyof SecondFactor)[];
	engagements: readonly (keyof Engagements)[];
	summaries: readonly (keyof Summaries)[];
	contracts: readonly (keyof Contracts)[];
	sponsors: readonly (keyof Sponsors)[];
	referrals: readonly (keyof Referrals)[];
	calendar: readonly (keyof Calendar)[];
	proposals: readonly (keyof Proposals)[];
	mail: readonly (keyof MailService)[];
	rhythm: readonly (keyof Rhythm)[];
	schemes: readonly (keyof Schemes)[];
	feedback: readonly (keyof Feedback)[];
	progress: readonly (keyof Progress)[];
	practice: readonly (keyof Practice)[];
	closing: readonly (keyof Closing)[];
	callPrivacy: readonly (keyof CallPrivacy)[];
	yourData: readonly (keyof YourData)[];
};

type Methods<K extends keyof typeof webMethods> = (typeof webMethods)[K][number];

/** Sign-up, sign-in and the session cookie, with the deployment's cookie security applied. */
export interface WebAuth extends Pick<Auth, Methods<'auth'>> {
	/** The client's address, from the trusted proxy header when configured (server/http/client-address.ts). */
	addressOf(req: Pick<IncomingMessage, 'headers' | 'socket'>): string;
	cookieName: string;
	cookieFor(token: string, expiresAt: number): SessionCookie;
	clearedCookie(): SessionCookie;
	/** The half-finished sign-in's cookie (second factor awaited). */
	pendingCookieName: string;
	pendingCookieFor(token: string, expiresAt: number): SessionCookie;
	clearedPendingCookie(): SessionCookie;
}

export type WebEngagements = Pick<Engagements, Methods<'engagements'>>;

export interface WebSummaries extends Pick<Summaries, Methods<'summaries'>> {
	/** A correction from the flat form the correction page posts. */
	correct(summaryId: string, userId: string, form: Record<string, string>): ReturnType<Summaries['correct']>;
}

export interface WebServices {
	log: Logger;
	auth: WebAuth;
	twoFactor: Pick<SecondFactor, Methods<'twoFactor'>>;
	engagements: WebEngagements;
	summaries: WebSummaries;
	contracts: Pick<Contracts, Methods<'contracts'>>;
	sponsors: Pick<Sponsors, Methods<'sponsors'>>;
	referrals: Pick<Referrals, Methods<'referrals'>>;
	calendar: Pick<Calendar, Methods<'calendar'>>;
	proposals: Pick<Proposals, Methods<'proposals'>>;
	mail: Pick<MailService, Methods<'mail'>>;
	rhythm: Pick<Rhythm, Methods<'rhythm'>>;
	schemes: Pick<Schemes, Methods<'schemes'>>;
	feedback: Pick<Feedback, Methods<'feedback'>>;
	progress: Pick<Progress, Methods<'progress'>>;
	practice: Pick<Practice, Methods<'practice'>>;
	closing: Pick<Closing, Methods<'closing'>>;
	callPrivacy: Pick<CallPrivacy, Methods<'callPrivacy'>>;
	yourData: Pick<YourData, Methods<'yourData'>>;
}

const slot = Symbol.for('confidante.services');
type Slot = { [slot]?: WebServices };

export function provideServices(services: WebServices): void {
	(globalThis as Slot)[slot] = services;
}

export function services(): WebServices {
	const s = (globalThis as Slot)[slot];
	if (!s) throw new Error('Confidante services are not started; run the app with `npm start`.');
	return s;
}
