/**
 * What each role meets at every door of the app, for the authorization
 * matrix (authz-matrix.test.ts). A door is a page (`GET /route`), a form
 * action (`POST /route?/name`, `POST /route` for a default one), an
 * endpoint's method, a socket request (`socket name`) or a pad (`pad shared`,
 * `pad private`). A role's `doors` name single doors; its `rules` then cover
 * families of doors (everything under an engagement...). A door that neither
 * decides fails the matrix, and so does a line for a door that is gone.
 *
 * Adding a route or event: add one line per role that does not fall under a
 * rule (at least the coachee's), with what that person must meet there.
 *
 * Outcomes: a status (a form action's: 200 done, 400 its form refused, 403,
 * 404, 409, 410), `signin` (sent to sign in), `redirect` (sent elsewhere);
 * for sockets `ok` or the failure's code, `no-connection` when the handshake
 * is refused; for pads the close code (shared/pad/close-codes.ts) or `open`.
 * Forms are posted empty, so an action someone may use answers its own
 * refusal of the empty form (usually 400), and an authorization refusal comes
 * before it. The people: a signed-out visitor; a stranger (signed in, in
 * nothing); the coachee of the engagement (who also asked in the scheme and
 * has a proposed match); its sponsor; the scheme's coordinator. The ids in
 * each route are real (the engagement, its ended session and summary, the
 * coach's proposal, the coachee's mail, the scheme, request, volunteer and
 * match); tokens are made up. Sockets ask about a live session of the
 * engagement, pads are the ended session's.
 */
import { under, type Outcome, type Role, type RoleTable } from '../helpers/authz.ts';

/** Doors that sign the person out: tried last, each followed by signing in again. */
export const SIGNS_OUT = ['POST /signout', 'POST /settings/devices?/everywhere', 'POST /settings/devices?/signOut'];

const socket = (...names: string[]) => (key: string) => names.some((n) => (n.endsWith('*') ? key.startsWith(`socket ${n.slice(0, -1)}`) : key === `socket ${n}`));
const anySocket = (key: string) => key.startsWith('socket ');
const anyPad = (key: string) => key.startsWith('pad ');

/** Everything that belongs to one engagement, proposal, scheme or person: nobody outside finds it. */
const PRIVATE_PLACES = under('/engagements/[id]', '/sessions/[id]', '/summaries/[id]', '/sponsor/[id]', '/proposals/[id]', '/outbox/[id]', '/matches/[id]', '/schemes/[id]', '/practice/[id]');

/** Pages and forms that anyone signed in has: their own account, the dashboard, starting something new, links by token. */
const SIGNED_IN: Record<string, Outcome> = {
	'GET /': 200,
	'GET /calendar/[token].ics': 404,
	'GET /confirm': 200,
	'POST /confirm': 409, // already confirmed
	'GET /confirm/[token]': 200,
	'POST /confirm/[token]': 410,
	'GET /engagements/new': 200,
	'POST /engagements/new': 400,
	'GET /invite/[token]': 200, // the page says the link does not work
	'POST /invite/[token]': 404,
	'GET /outbox': 200,
	'GET /practice': 200, // their own hours log (empty for someone who coaches nobody)
	'POST /practice?/log': 404, // names no engagement they coach
	'GET /practice/hours.csv': 200,
	'GET /proposals/new': 200,
	'POST /proposals/new': 400,
	'GET /reset': 200,
	'POST /reset': 400,
	'GET /reset/[token]': 200,
	'POST /reset/[token]': 400,
	'GET /scheme-invite/[token]': 200,
	'POST /scheme-invite/[token]': 404,
	'GET /schemes': 200,
	'GET /schemes/new': 200,
	'POST /schemes/new': 400,
	'GET /schemes/[id]/ask': 200, // a scheme's request page is shared with anyone who may ask
	'POST /schemes/[id]/ask?/request': 400,
	'POST /schemes/[id]/ask?/withdraw': 404, // no waiting request of theirs
	'GET /scoping/[token]': 404,
	'POST /scoping/[token]': 404,
	'GET /settings': 200,
	'POST /settings?/timeZone': 400,
	'POST /settings?/createFeed': 200,
	'POST /settings?/revokeFeed': 200,
	'GET /settings/activity': 200,
	'GET /settings/data.zip': 200, // their own data
	'POST /settings?/deleteAccount': 400, // needs the password and the typed phrase
	'GET /settings/security': 200,
	'POST /settings/security?/start': 200, // starts setting up their own authenticator app
	'POST /settings/security?/confirm': 400,
	'POST /settings/security?/disable': 409, // nothing to turn off
	'POST /settings/security?/regenerate': 409,
	'POST /settings/security?/removePasskey': 400,
	'GET /settings/security/passkey': 200, // options to register a passkey of their own
	'POST /settings/security/passkey': 400,
	'GET /signin/passkey': 200, // a challenge, for anyone
	'POST /signin/passkey': 400,
	'GET /signin/second-factor': 'redirect', // no sign-in waiting for a second factor
	'POST /signin/second-factor': 410,
	'GET /signin/second-factor/passkey': 410,
	'POST /signin/second-factor/passkey': 400,
	'GET /settings/devices': 200,
	'POST /settings/devices?/signOut': 400,
	'POST /settings/devices?/everywhere': 'signin',
	'GET /signin': 'redirect', // already signed in
	'POST /signin': 400,
	'GET /signup': 'redirect',
	'POST /signup': 400,
	'GET /signup/confirm/[token]': 200,
	'POST /signup/confirm/[token]': 410,
	'GET /sponsor-invite/[token]': 200,
	'POST /sponsor-invite/[token]': 404,
	'POST /signout': 'signin'
};

/** Someone with no part in the engagement: 404 (`not_found`, 4404) everywhere in it; the room's media and start checks say "not in this call" (`forbidden`) to anyone not in it, which the matrix checks is the same answer as for a session that does not exist. */
const OUTSIDER_RULES: RoleTable['rules'] = [
	{ why: 'everything of an engagement, proposal, scheme or match', match: PRIVATE_PLACES, outcome: 404 },
	{ why: 'media and starting answer anyone not in the call the same', match: socket('media:*', 'e2ee:*', 'session:start', 'session:end-check'), outcome: 'forbidden' },
	{ why: 'every other socket request about the session', match: anySocket, outcome: 'not_found' },
	{ why: 'both pads', match: anyPad, outcome: 4404 }
];

const visitor: RoleTable = {
	doors: {
		'GET /': 200, // the landing page
		'GET /calendar/[token].ics': 404,
		'GET /confirm/[token]': 200,
		'POST /confirm/[token]': 410,
		'GET /invite/[token]': 200,
		'GET /reset': 200,
		'POST /reset': 400,
		'GET /reset/[token]': 200,
		'POST /reset/[token]': 400,
		'GET /scheme-invite/[token]': 200,
		'GET /scoping/[token]': 404, // answered without an account
		'POST /scoping/[token]': 404,
		'GET /signin': 200,
		'POST /signin': 400,
		'GET /signin/passkey': 200, // "Sign in with a passkey": a challenge, for anyone
		'POST /signin/passkey': 400,
		'POST /signin/second-factor': 410, // no sign-in waiting for a second factor
		'GET /signin/second-factor/passkey': 410,
		'POST /signin/second-factor/passkey': 400,
		'GET /settings/security/passkey': 401, // an endpoint: answers, does not redirect
		'POST /settings/security/passkey': 401,
		'GET /signup': 200,
		'POST /signup': 400,
		'GET /signup/confirm/[token]': 200,
		'POST /signup/confirm/[token]': 410,
		'GET /sponsor-invite/[token]': 200
	},
	rules: [
		{ why: 'the session socket refuses the handshake', match: anySocket, outcome: 'no-connection' },
		{ why: 'pads: not signed in', match: anyPad, outcome: 4401 },
		{ why: 'every other page and form sends them to sign in', match: () => true, outcome: 'signin' }
	]
};

const stranger: RoleTable = { doors: SIGNED_IN, rules: OUTSIDER_RULES };

const sponsor: RoleTable = {
	doors: { ...SIGNED_IN, 'GET /sponsor/[id]': 200 },
	rules: OUTSIDER_RULES
};

const coordinator: RoleTable = {
	doors: {
		...SIGNED_IN,
		'GET /schemes/[id]': 200,
		'POST /schemes/[id]?/invite': 400,
		'POST /schemes/[id]?/withdraw': 404, // no such match named
		'POST /schemes/[id]?/end': 404,
		'GET /schemes/[id]/requests/[request]': 200,
		'POST /schemes/[id]/requests/[request]?/propose': 400,
		'GET /schemes/[id]/volunteers/[user]': 200, // reads the profile
		'POST /schemes/[id]/volunteers/[user]?/save': 403 // only the volunteer edits it
	},
	rules: OUTSIDER_RULES
};

/** The coachee: every door of their engagement is decided here, one by one. */
const coachee: RoleTable = {
	doors: {
		...SIGNED_IN,
		'GET /engagements/[id]': 200,
		'POST /engagements/[id]?/invite': 403,
		'POST /engagements/[id]?/sponsorLink': 403,
		'POST /engagements/[id]?/draftUpdate': 403,
		'POST /engagements/[id]?/decideUpdate': 404, // no such update named
		'POST /engagements/[id]?/proposeReferral': 403,
		'POST /engagements/[id]?/referral': 404, // no such referral named
		'POST /engagements/[id]?/proposeSeries': 403,
		'POST /engagements/[id]?/createSeries': 403,
		'POST /engagements/[id]?/reminders': 400,
		'POST /engagements/[id]?/updateAction': 400,
		'POST /engagements/[id]?/schedule': 403,
		'POST /engagements/[id]?/reschedule': 404, // no such session named
		'POST /engagements/[id]?/cancel': 404,
		'POST /engagements/[id]?/rate': 400, // their own progress rating
		'POST /engagements/[id]?/requireTwoFactor': 404, // the coach's setting
		'POST /engagements/[id]?/callPrivacy': 404, // the coach's setting
		'POST /engagements/[id]?/proposeErasure': 409, // not while a session is live
		'POST /engagements/[id]?/agreeErasure': 409, // nothing proposed
		'POST /engagements/[id]?/withdrawErasure': 409,
		'GET /engagements/[id]/closing': 200,
		'POST /engagements/[id]/closing?/close': 400, // they may propose closing
		'POST /engagements/[id]/closing?/answer': 400,
		'POST /engagements/[id]/closing?/evaluate': 409, // not closed yet
		'POST /engagements/[id]/closing?/followUp': 409,
		'GET /engagements/[id]/report': 200, // their own copy
		'GET /engagements/[id]/report.md': 200,
		'GET /engagements/[id]/report.pdf': 200,
		'GET /practice/[id]': 404, // the coach's practice notes
		'POST /practice/[id]?/add': 404,
		'POST /practice/[id]?/edit': 404,
		'POST /practice/[id]?/remove': 404,
		'GET /practice/[id]/supervision.md': 404,
		'GET /engagements/[id]/contract': 200,
		'POST /engagements/[id]/contract?/accept': 404, // no such version named
		'GET /engagements/[id]/contract/edit': 403,
		'POST /engagements/[id]/contract/edit?/save': 403,
		'POST /engagements/[id]/contract/edit?/addGoal': 403,
		'POST /engagements/[id]/contract/edit?/removeGoal': 403,
		'POST /engagements/[id]/contract/edit?/send': 403,
		'GET /engagements/[id]/contract/v/[version]': 200,
		'GET /engagements/[id]/summaries': 200,
		'GET /matches/[id]': 200, // their own proposed match
		'POST /matches/[id]?/answer': 400,
		'POST /matches/[id]?/feedback': 409, // only after the placement ends
		'GET /outbox/[id]': 200, // their own mail
		'GET /sessions/[id]': 200,
		'GET /sessions/[id]/prepare': 200,
		'POST /sessions/[id]/prepare': 409, // the session has ended
		'GET /sessions/[id]/previous-summary': 200,
		'GET /sessions/[id]/summary': 'redirect', // to the summary
		'GET /summaries/[id]': 200, // their copy, without private notes
		'POST /summaries/[id]?/retry': 404, // delivery is the coach's
		'POST /summaries/[id]?/feedback': 400, // their feedback on the session
		'POST /summaries/[id]?/notThisTime': 200,
		'POST /summaries/[id]?/rate': 400,
		'GET /summaries/[id]/correct': 404,
		'POST /summaries/[id]/correct': 403,
		'GET /summaries/[id].md': 200,
		'socket session:join': 'ok',
		'socket session:leave': 'ok',
		'socket session:start': 'forbidden', // the coach starts a session early
		'socket session:end': 'forbidden',
		'socket session:end-check': 'forbidden',
		'socket media:capabilities': 'ok',
		'socket media:join': 'ok',
		'socket media:createTransports': 'ok',
		'socket media:consume': 'forbidden', // joined without entering the call: no one's media
		'socket media:leave': 'ok',
		'socket e2ee:publicKey': 'forbidden', // not in the call: no keys
		'socket e2ee:senderKey': 'forbidden',
		'socket media:direct': 'conflict', // not in the call (pre-join): no direct connection to anyone
		'socket prompts:current-card': 'ok',
		'socket prompts:dismiss': 'ok',
		'pad shared': 'open',
		'pad private': 4403
	},
	rules: [
		{ why: 'the made-up transport, producer or consumer ids name nothing of theirs', match: socket('media:*'), outcome: 'not_found' },
		{ why: 'prompts are the coach’s', match: socket('prompts:*'), outcome: 'forbidden' },
		{ why: 'a proposal, a scheme’s pages and a sponsor’s page are not theirs', match: under('/proposals/[id]', '/schemes/[id]', '/sponsor/[id]'), outcome: 404 }
	]
};

export const TABLES: Record<Role, RoleTable> = { visitor, stranger, coachee, sponsor, coordinator };
