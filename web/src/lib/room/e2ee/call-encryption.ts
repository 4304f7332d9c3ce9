/**
 * End-to-end encryption of this tab's call through the SFU. One worker
 * transforms every frame sent and received (worker.ts); this class feeds it
 * keys. This tab's sender key is sealed for each other member (ECDH per
 * pair, key-exchange.ts) and relayed by the server, which sees only
 * ciphertext. When someone joins, leaves or comes back with a new key pair,
 * the sender key is replaced (rotation), so a person who left holds no key
 * for what follows; receivers keep a sender's previous key a moment for
 * frames in flight.
 */
import type { SessionConnection } from '$lib/session/connection.svelte.ts';
import { e2eeKnobs, type PeerKey } from '$shared/protocol/e2ee.ts';
import { log as rootLog } from '$lib/log.ts';
import { newRawKey, type FrameKind } from './frame-crypto.ts';
import { exportPublicKey, newKeyPair, openSenderKey, pairKey, sealSenderKey, type Sealed } from './key-exchange.ts';
import type { FailedReply, FromPage, StatsReply, TransformOptions } from './messages.ts';
import type { Request } from '../transports.ts';
import { mark } from '../marks.ts';

/** How this browser can transform encoded frames, best first; null when it cannot. */
export type E2eeSupport = 'script-transform' | 'insertable-streams' | null;

export function e2eeSupport(): E2eeSupport {
	if (typeof window === 'undefined' || typeof Worker !== 'function' || !crypto?.subtle) return null;
	if (typeof window.RTCRtpScriptTransform === 'function') return 'script-transform';
	if (typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype) return 'insertable-streams';
	return null;
}

interface Peer {
	publicKey: string;
	key: Promise<CryptoKey>;
}

type LegacyEndpoint = { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };

export class CallEncryption {
	readonly support: E2eeSupport;
	/** The key id this tab encrypts with now (tests compare it across a rotation). */
	keyId = Math.floor(Math.random() * 256);
	private readonly worker: Worker;
	private readonly pair = newKeyPair();
	private readonly exported = this.pair.then(exportPublicKey);
	private readonly peers = new Map<string, Peer>();
	/** Sealed keys that came before their sender's public key. */
	private readonly early = new Map<string, Sealed>();
	private rotateTimer: ReturnType<typeof setTimeout> | null = null;
	/** A key of this tab was given to someone already. */
	private shared = false;
	/** The key this tab encrypts with now. */
	private raw = newRawKey();
	private statsId = 0;
	private readonly log: typeof rootLog;
	private readonly offs: Array<() => void>;

	private readonly connection: SessionConnection;
	private readonly userId: string;
	private readonly request: Request;

	constructor(connection: SessionConnection, userId: string, request: Request, support: Exclude<E2eeSupport, null>) {
		this.connection = connection;
		this.userId = userId;
		this.request = request;
		this.support = support;
		this.log = rootLog.child({ area: 'room-e2ee', sessionId: connection.sessionId });
		this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'call-encryption' });
		this.worker.addEventListener('message', (e: MessageEvent<FailedReply | StatsReply>) => {
			if (e.data?.type === 'failed') this.log.warn({ role: e.data.role, kind: e.data.kind, message: e.data.message }, 'a frame transform stopped');
		});
		this.worker.addEventListener('error', (e) => this.log.error({ message: e.message }, 'the encryption worker failed'));
		this.post({ type: 'send-key', keyId: this.keyId, raw: this.raw.slice().buffer });
		const mine = (m: { sessionId: string }) => m.sessionId === connection.sessionId;
		this.offs = [
			connection.listen('e2ee:peerKey', (m) => mine(m) && this.addPeer(m.userId, m.publicKey)),
			connection.listen('e2ee:senderKey', (m) => mine(m) && void this.receive(m.from, m))
		];
	}

	/** Whether frames go out encrypted: off only while someone in the call cannot decrypt. */
	setEncrypted(encrypted: boolean): void {
		this.post({ type: 'mode', encrypt: encrypted });
	}

	/** This tab's public key, as entering the call announces it (made while the pre-join screen shows). */
	publicKey(): Promise<string> {
		return this.exported;
	}

	/** Entered the call (again) with the public key: the others' keys came with the answer. */
	joined(peers: PeerKey[] | undefined): void {
		mark('e2ee-announced');
		if (!peers) {
			// The server did not take the key with the join (it could not tell we encrypt): announce it on its own.
			void this.announce().catch((err: unknown) => this.log.warn({ err }, 'public key not announced'));
			return;
		}
		for (const p of peers) this.addPeer(p.userId, p.publicKey);
	}

	private async announce(): Promise<void> {
		const { peers } = await this.request('e2ee:publicKey', { sessionId: this.connection.sessionId, publicKey: await this.exported });
		for (const p of peers) this.addPeer(p.userId, p.publicKey);
	}

	/** Who is in the call now: anyone gone loses their place, and the key rotates without them. */
	inCall(userIds: string[]): void {
		let left = false;
		for (const id of [...this.peers.keys()]) {
			if (userIds.includes(id)) continue;
			this.peers.delete(id);
			left = true;
		}
		if (left) this.scheduleRotation();
	}

	attachSender(sender: RTCRtpSender, kind: FrameKind): void {
		this.attach(sender, { role: 'send', kind });
	}

	attachReceiver(receiver: RTCRtpReceiver, kind: FrameKind, from: string): void {
		this.attach(receiver, { role: 'receive', kind, from });
	}

	private attach(endpoint: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
		if (this.support === 'script-transform') {
			endpoint.transform = new RTCRtpScriptTransform(this.worker, options);
			return;
		}
		const { readable, writable } = (endpoint as unknown as LegacyEndpoint).createEncodedStreams();
		this.worker.postMessage({ type: 'streams', readable, writable, options } satisfies FromPage, [readable as unknown as Transferable, writable as unknown as Transferable]);
	}

	private addPeer(userId: string, publicKey: string): void {
		if (userId === this.userId || this.peers.get(userId)?.publicKey === publicKey) return;
		const key = this.pair.then((pair) => pairKey(pair, publicKey, this.connection.sessionId));
		this.peers.set(userId, { publicKey, key });
		const waiting = this.early.get(userId);
		if (waiting) {
			this.early.delete(userId);
			void this.receive(userId, waiting);
		}
		// Someone new (or back with a new key pair): a fresh key, so they cannot read what came before.
		this.scheduleRotation();
	}

	private async receive(from: string, sealed: Sealed): Promise<void> {
		const peer = this.peers.get(from);
		if (!peer) return void this.early.set(from, sealed);
		try {
			const raw = await openSenderKey(await peer.key, sealed, { sessionId: this.connection.sessionId, from, to: this.userId });
			this.post({ type: 'receive-key', from, keyId: sealed.keyId, raw }, [raw]);
			mark('e2ee-key-received', { from });
		} catch (err) {
			this.log.warn({ err, from, keyId: sealed.keyId }, 'a sender key did not open (sealed for someone else, or altered)');
		}
	}

	private scheduleRotation(): void {
		if (this.rotateTimer) clearTimeout(this.rotateTimer);
		// The first key to share is what the others' first frame waits for: no debounce then.
		this.rotateTimer = setTimeout(
			() => {
				this.rotateTimer = null;
				void this.rotate();
			},
			this.shared ? e2eeKnobs.rotateDebounceMs : 0
		);
	}

	/**
	 * A new sender key: sealed for everyone in the call first, then used.
	 * The first time, the key in use is given instead: nobody held it, and the
	 * others' first frames (with the key frame) were sealed with it.
	 */
	private async rotate(): Promise<void> {
		const raw = this.shared ? newRawKey() : this.raw;
		const keyId = this.shared ? (this.keyId + 1) & 0xff : this.keyId;
		const sessionId = this.connection.sessionId;
		await Promise.all(
			[...this.peers].map(async ([to, peer]) => {
				const sealed = await sealSenderKey(await peer.key, raw, { sessionId, from: this.userId, to, keyId });
				mark('e2ee-key-sent', { to });
				await this.request('e2ee:senderKey', { sessionId, to, ...sealed }).catch((err: unknown) => this.log.warn({ err, to, keyId }, 'sender key not delivered'));
			})
		);
		this.keyId = keyId;
		this.shared = true;
		this.raw = raw;
		this.post({ type: 'send-key', keyId, raw: raw.slice().buffer });
		this.log.info({ keyId, members: this.peers.size }, 'sender key rotated');
	}

	/** The worker's counters and the key ids it holds per sender (tests and the benchmark read them). */
	stats(): Promise<StatsReply> {
		const id = ++this.statsId;
		return new Promise((resolve) => {
			const onMessage = (e: MessageEvent<StatsReply>) => {
				if (e.data?.type !== 'stats' || e.data.id !== id) return;
				this.worker.removeEventListener('message', onMessage);
				resolve(e.data);
			};
			this.worker.addEventListener('message', onMessage);
			this.post({ type: 'stats', id });
		});
	}

	private post(m: FromPage, transfer: Transferable[] = []): void {
		this.worker.postMessage(m, transfer);
	}

	destroy(): void {
		if (this.rotateTimer) clearTimeout(this.rotateTimer);
		for (const off of this.offs) off();
		this.worker.terminate();
	}
}

/** What a producer needs from the call's encryption: a stand-in track while the sender gets its transform. */
export interface ProducerLike {
	kind: string;
	track: MediaStreamTrack | null;
	rtpSender: RTCRtpSender | undefined;
	replaceTrack(o: { track: MediaStreamTrack }): Promise<void>;
	resume(): void;
}

/**
 * mediasoup-client makes the RTCRtpSender inside `produce`, so the
 * transform comes after the sender exists. Chromium holds frames back until
 * then (encodedInsertableStreams, see transports.ts); for browsers that
 * might not, a producer starts with a disabled copy of the track (black
 * frames, silence) and gets the real track only once its frames are
 * encrypted.
 */
export function standIn(track: MediaStreamTrack): MediaStreamTrack {
	const copy = track.clone();
	copy.enabled = false;
	return copy;
}

export async function secureProducer(encryption: CallEncryption, producer: ProducerLike, track: MediaStreamTrack): Promise<void> {
	if (!producer.rtpSender) throw new Error('a producer without an RTCRtpSender cannot be encrypted');
	encryption.attachSender(producer.rtpSender, producer.kind === 'audio' ? 'audio' : 'video');
	const copy = producer.track;
	await producer.replaceTrack({ track });
	copy?.stop();
	// mediasoup-client took the disabled copy for a paused producer: it is not (the caller pauses what should be).
	producer.resume();
}
