/**
 * The authorization matrix's machinery (tests/integration/authz-matrix.test.ts):
 * every door of the app (HTTP doors from the route tree, socket requests
 * from the protocol map, both pads), what one person meets at each, and the
 * expected outcome from a role's table (tests/integration/authz-expectations.ts).
 */
import { clientRequests, PROTOCOL_VERSION, type RequestName } from '../../shared/protocol/index.ts';
import { padName } from '../../shared/pad/index.ts';
import { httpDoors, routeUrl, type Door } from './routes.ts';
import type { Visitor } from './http.ts';
import { connect, connected, request } from './socket.ts';
import { rawPadSocket } from './pad.ts';

export const ROLES = ['visitor', 'stranger', 'coachee', 'sponsor', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a door answered, as one word or number:
 * - HTTP: the status (a form action's result status: 200 success, 400 its
 *   form refused, 403, 404...), `signin` for a redirect to the sign-in page,
 *   `redirect` for any other redirect;
 * - socket requests: `ok`, or the failure's code (`not_found`, `forbidden`...),
 *   `no-connection` when the handshake itself is refused;
 * - pads: the close code, or `open` when the document was sent.
 */
export type Outcome = number | string;

/** A role's expectations: lines for single doors, then rules for families of doors; a door neither names fails the matrix. */
export interface RoleTable {
	doors: Record<string, Outcome>;
	/** Checked in order after `doors`; the first that answers gives the outcome. */
	rules: { why: string; match: (key: string) => boolean; outcome: Outcome }[];
}

export function expected(table: RoleTable, key: string): Outcome | undefined {
	if (Object.hasOwn(table.doors, key)) return table.doors[key];
	return table.rules.find((r) => r.match(key))?.outcome;
}

/** `GET /engagements/[id]` and the like, under any of these route prefixes. */
export const under = (...prefixes: string[]) => (key: string) => prefixes.some((p) => key.replace(/^\S+ /, '').startsWith(p));

export const socketKey = (name: string) => `socket ${name}`;
export const padKey = (kind: string) => `pad ${kind}`;
export const PAD_KINDS = ['shared', 'private'] as const;

/** Every door's key: what each role's table must decide. */
export function allDoors(): string[] {
	return [...httpDoors().map((d) => d.key), ...Object.keys(clientRequests).map(socketKey), ...PAD_KINDS.map(padKey)];
}

/**
 * A payload each request's schema accepts (checked by the matrix), so what
 * answers is the server's decision about the person, not a schema refusal.
 * Ids that must name something (a transport, a prompt) name nothing: a
 * member then meets `not_found` for the thing, an outsider for the session.
 */
const MEDIA_ID = '00000000-0000-4000-8000-000000000000';
const CAPS = { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 }] };
export function samplePayload(name: RequestName, sessionId: string): unknown {
	const s = { sessionId };
	const samples: Record<RequestName, unknown> = {
		'session:join': { ...s, protocolVersion: PROTOCOL_VERSION },
		'session:leave': s,
		'session:start': s,
		'session:end': s,
		'session:end-check': s,
		'media:capabilities': s,
		'media:join': { ...s, peerId: 'authz-matrix-peer-0001', rtpCapabilities: CAPS, entering: false },
		'media:createTransports': s,
		'media:connectTransport': { ...s, transportId: MEDIA_ID, dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] } },
		'media:restartIce': { ...s, transportId: MEDIA_ID },
		'media:produce': { ...s, transportId: MEDIA_ID, kind: 'audio', source: 'mic', rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 100 }] }, paused: false },
		'media:pauseProducer': { ...s, producerId: MEDIA_ID },
		'media:resumeProducer': { ...s, producerId: MEDIA_ID },
		'media:closeProducer': { ...s, producerId: MEDIA_ID },
		'media:consume': { ...s, producerId: MEDIA_ID },
		'media:resumeConsumer': { ...s, consumerId: MEDIA_ID },
		'media:pauseConsumer': { ...s, consumerId: MEDIA_ID },
		'media:preferLayer': { ...s, consumerId: MEDIA_ID, spatialLayer: 0 },
		'media:leave': s,
		'media:direct': { ...s, signal: { kind: 'fallback' } },
		'e2ee:publicKey': { ...s, publicKey: 'A'.repeat(87) },
		'e2ee:senderKey': { ...s, to: 'nobody', keyId: 1, wrapped: 'A'.repeat(48), iv: 'A'.repeat(16) },
		'prompts:load': s,
		'prompts:create': { ...s, prompt: { text: 'What would make this week a good one?', phase: 'goal', themes: [] } },
		'prompts:update': { ...s, id: 'no-such-prompt', prompt: { text: 'What else?' } },
		'prompts:delete': { ...s, id: 'no-such-prompt' },
		'prompts:favourite': { ...s, id: 'no-such-prompt', favourite: true },
		'prompts:ask': { ...s, id: 'no-such-prompt' },
		'prompts:unask': { ...s, id: 'no-such-prompt' },
		'prompts:show': { ...s, id: 'no-such-prompt' },
		'prompts:withdraw': s,
		'prompts:current-card': s,
		'prompts:dismiss': { ...s, cardId: 'nosuchcardaaaaaa' }
	};
	return samples[name];
}

/** What `who` meets at one HTTP door; `values` name the real ids to put in the route's `[params]`. */
export async function tryHttp(who: Visitor, door: Door, values: Record<string, string>): Promise<{ url: string; outcome: Outcome; body: string }> {
	const url = routeUrl(door.pattern, values);
	if (door.method === 'GET') {
		const res = await who.get(url);
		return { url, outcome: httpOutcome(res.status, res.headers.get('location')), body: await res.text() };
	}
	if (door.action) {
		// An empty form: an allowed action answers its own refusal of the form (400), an authorization refusal comes first.
		const r = await who.action(door.action === 'default' ? url : `${url}?/${door.action}`);
		return { url, outcome: httpOutcome(r.status, r.location ?? null), body: JSON.stringify(r.data ?? '') };
	}
	const res = await who.post(url, {});
	return { url, outcome: httpOutcome(res.status, res.headers.get('location')), body: await res.text() };
}

function httpOutcome(status: number, location: string | null): Outcome {
	if (status >= 300 && status < 400) return location?.startsWith('/signin') ? 'signin' : 'redirect';
	return status;
}

/** Every socket request of the protocol, each once, about `sessionId`; `no-connection` for all when the handshake is refused. */
export async function trySocket(base: string, cookie: string, sessionId: string): Promise<{ outcomes: Record<string, Outcome>; answers: string }> {
	const names = Object.keys(clientRequests) as RequestName[];
	const s = connect(base, cookie);
	try {
		await connected(s);
	} catch {
		s.close();
		return { outcomes: Object.fromEntries(names.map((n) => [socketKey(n), 'no-connection'])), answers: '' };
	}
	const outcomes: Record<string, Outcome> = {};
	let answers = '';
	// Joining first and leaving last, so every other request is asked by someone in the room when they may be.
	const last = ['media:leave', 'session:leave'];
	const order = [...names].sort((a, b) => rank(a) - rank(b));
	function rank(n: string) {
		return n === 'session:join' ? -1 : last.indexOf(n) + 1;
	}
	for (const name of order) {
		const r = await request(s, name, samplePayload(name, sessionId));
		outcomes[socketKey(name)] = r.ok ? 'ok' : r.error.code;
		answers += JSON.stringify(r);
	}
	s.close();
	return { outcomes, answers };
}

/** Both pads of `sessionId`: the close code, or `open` once the server sent the document. */
export async function tryPads(base: string, cookie: string, sessionId: string): Promise<{ outcomes: Record<string, Outcome>; bytes: string }> {
	const outcomes: Record<string, Outcome> = {};
	let bytes = '';
	for (const kind of PAD_KINDS) {
		const raw = await rawPadSocket(base, cookie, padName(sessionId, kind));
		const code = await Promise.race([raw.closed.then((c) => c.code), new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
		outcomes[padKey(kind)] = code ?? (raw.frames.length > 0 ? 'open' : 'silent');
		bytes += Buffer.concat(raw.frames).toString('latin1');
		raw.ws.close();
	}
	return { outcomes, bytes };
}
