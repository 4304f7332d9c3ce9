/**
 * A live session's media: one mediasoup router on one worker, and a MediaPeer
 * per participant. Every operation checks that the ids it is given belong to
 * the asking peer, and answers a Failure (changing nothing) when they do not.
 */
import type { types } from 'mediasoup';
import { limits } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { fail, ok, type Result } from '../../shared/result.ts';
import type {
	ConsumerOptions,
	MediaJoined,
	MediaRtpCapabilities,
	MediaRtpParameters,
	MediaSource,
	MediaTransports,
	ProducerInfo,
	TransportOptions
} from '../../shared/protocol/media.ts';
import type { CallPrivacy, ServerToClientEvents } from '../../shared/protocol/index.ts';
import { MediaPeer, type ProducerData } from './peer.ts';
import type { MediaWorker } from './workers.ts';

export type Notify = <E extends keyof ServerToClientEvents>(socketId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>) => void;

export interface TransportSettings {
	listenInfos: types.TransportListenInfo[];
}

const producerInfo = (p: types.Producer<ProducerData>): ProducerInfo => ({
	producerId: p.id,
	userId: p.appData.userId,
	kind: p.kind,
	source: p.appData.source,
	paused: p.paused
});

export class MediaRoom {
	readonly sessionId: string;
	router: types.Router;
	worker: MediaWorker;
	readonly peers = new Map<string, MediaPeer>();
	/** The coach requires end-to-end encryption (looked up at each join: the coach may change it meanwhile). */
	e2eeRequired = false;
	readonly notify: Notify;
	private readonly transportSettings: TransportSettings;
	private readonly log: Logger;
	/** Set while the room's media is torn down on purpose: no per-producer notices then. */
	private quiet = false;

	constructor(deps: { sessionId: string; router: types.Router; worker: MediaWorker; notify: Notify; transportSettings: TransportSettings; log: Logger }) {
		this.sessionId = deps.sessionId;
		this.router = deps.router;
		this.worker = deps.worker;
		this.notify = deps.notify;
		this.transportSettings = deps.transportSettings;
		this.log = deps.log;
		this.worker.appData.routers++;
	}

	/** The peer speaking through this socket, or null (not joined, or replaced by another tab). */
	peerOf(userId: string, socketId: string): MediaPeer | null {
		const peer = this.peers.get(userId);
		return peer && peer.socketId === socketId ? peer : null;
	}

	/**
	 * A tab enters the room, or comes back after a socket drop. The same tab
	 * (same peerId) keeps its transports; another tab of the same person
	 * replaces the old one, which is told so.
	 */
	join(userId: string, peerId: string, socketId: string, rtpCapabilities: MediaRtpCapabilities, entering: boolean, e2ee: boolean): MediaJoined {
		const before = this.callKey();
		let peer = this.peers.get(userId);
		let kept: MediaJoined['kept'] = null;
		if (peer && peer.peerId === peerId) {
			peer.socketId = socketId;
			peer.rtpCapabilities = rtpCapabilities;
			if (peer.send && peer.recv && !peer.send.closed && !peer.recv.closed) {
				kept = { sendTransportId: peer.send.id, recvTransportId: peer.recv.id, producerIds: [...peer.producers.keys()] };
			}
		} else {
			if (peer) {
				if (peer.socketId && peer.socketId !== socketId) this.notify(peer.socketId, 'media:replaced', { sessionId: this.sessionId });
				this.removePeer(userId);
			}
			peer = new MediaPeer(userId, peerId, socketId, rtpCapabilities);
			this.peers.set(userId, peer);
		}
		peer.e2ee = e2ee;
		if (entering) peer.inCall = true;
		this.tellInCall(before);
		return { routerId: this.router.id, kept, producers: this.producersFor(userId), inCall: this.inCall(), privacy: this.privacy() };
	}

	inCall(): string[] {
		return [...this.peers.values()].filter((p) => p.inCall).map((p) => p.userId);
	}

	/** Frames are encrypted end to end when everyone in the call can do it (one who cannot would see nothing). */
	privacy(): CallPrivacy {
		const members = [...this.peers.values()].filter((p) => p.inCall);
		return { encrypted: members.every((p) => p.e2ee), required: this.e2eeRequired };
	}

	/** Who is in the call and whether it is encrypted, to compare before and after a change. */
	private callKey(): string {
		return `${this.inCall().join()}|${this.privacy().encrypted}`;
	}

	/** Tells every tab in the room who is in the call, when that (or the call's encryption) changed. */
	private tellInCall(before: string): void {
		if (this.callKey() === before) return;
		const now = { sessionId: this.sessionId, userIds: this.inCall(), privacy: this.privacy() };
		for (const p of this.peers.values()) if (p.socketId) this.notify(p.socketId, 'media:inCall', now);
	}

	/** Everything published by people other than `userId`. */
	producersFor(userId: string): ProducerInfo[] {
		const out: ProducerInfo[] = [];
		for (const p of this.peers.values()) {
			if (p.userId === userId) continue;
			for (const producer of p.producers.values()) out.push(producerInfo(producer));
		}
		return out;
	}

	/** A fresh send and receive transport; old ones (after a failed restart) are closed first. */
	async createTransports(peer: MediaPeer): Promise<MediaTransports> {
		peer.closeTransports();
		const [send, recv] = await Promise.all([this.newTransport(peer, 'send'), this.newTransport(peer, 'recv')]);
		if (this.peers.get(peer.userId) !== peer) {
			// The person left or another tab took over while we waited.
			send.close();
			recv.close();
			throw new Error('peer left during transport creation');
		}
		peer.send = send;
		peer.recv = recv;
		return { send: transportOptions(send), recv: transportOptions(recv) };
	}

	private async newTransport(peer: MediaPeer, direction: 'send' | 'recv'): Promise<types.WebRtcTransport> {
		const transport = await this.router.createWebRtcTransport({
			listenInfos: this.transportSettings.listenInfos,
			enableUdp: true,
			enableTcp: true,
			preferUdp: true,
			initialAvailableOutgoingBitrate: limits.media.initialOutgoingBitrate,
			appData: { userId: peer.userId, direction }
		});
		const worker = this.worker;
		worker.appData.transports++;
		this.log.debug({ session: this.sessionId, user: peer.userId, direction, open: worker.appData.transports }, 'media transport opened');
		transport.observer.once('close', () => {
			worker.appData.transports--;
			this.log.debug({ session: this.sessionId, user: peer.userId, direction, open: worker.appData.transports }, 'media transport closed');
		});
		if (direction === 'send') await transport.setMaxIncomingBitrate(limits.media.maxIncomingBitrate);
		transport.on('dtlsstatechange', (state) => {
			if (state === 'failed') this.log.warn({ session: this.sessionId, user: peer.userId, direction }, 'DTLS failed');
		});
		return transport;
	}

	async connectTransport(peer: MediaPeer, transportId: string, dtlsParameters: types.DtlsParameters): Promise<Result<true>> {
		const transport = peer.transport(transportId);
		if (!transport) return fail('not_found', 'Unknown transport; set up media again.');
		if (transport.appData.connected) return fail('conflict', 'This transport is already connected.');
		transport.appData.connected = true;
		try {
			await transport.connect({ dtlsParameters });
		} catch (err) {
			transport.appData.connected = false;
			if (err instanceof TypeError) return fail('invalid_input', `These DTLS parameters are not usable: ${err.message}`);
			throw err;
		}
		return ok(true);
	}

	async restartIce(peer: MediaPeer, transportId: string): Promise<Result<{ iceParameters: unknown }>> {
		const transport = peer.transport(transportId);
		if (!transport) return fail('not_found', 'Unknown transport; set up media again.');
		return ok({ iceParameters: await transport.restartIce() });
	}

	async produce(peer: MediaPeer, req: { transportId: string; kind: 'audio' | 'video'; source: MediaSource; rtpParameters: MediaRtpParameters; paused: boolean }): Promise<Result<{ producerId: string }>> {
		if (!peer.send || peer.send.closed || peer.send.id !== req.transportId) return fail('not_found', 'Unknown send transport; set up media again.');
		if ((req.source === 'mic') !== (req.kind === 'audio')) return fail('invalid_input', 'A microphone sends audio; a camera or screen sends video.');
		// One track per source: a second camera replaces the first.
		for (const existing of peer.producers.values()) if (existing.appData.source === req.source) existing.close();
		let producer: types.Producer<ProducerData>;
		try {
			producer = await peer.send.produce<ProducerData>({
				kind: req.kind,
				rtpParameters: req.rtpParameters as types.RtpParameters,
				paused: req.paused,
				appData: { userId: peer.userId, source: req.source }
			});
		} catch (err) {
			// mediasoup rejects parameters it cannot route (TypeError/UnsupportedError): the browser's fault.
			if (err instanceof TypeError || (err as Error).name === 'UnsupportedError') return fail('invalid_input', `These media parameters are not usable: ${(err as Error).message}`);
			throw err;
		}
		peer.producers.set(producer.id, producer);
		producer.observer.once('close', () => {
			peer.producers.delete(producer.id);
			if (!this.quiet && !this.worker.died) this.toOthers(peer.userId, 'media:producerClosed', { sessionId: this.sessionId, producerId: producer.id, userId: peer.userId });
		});
		this.toOthers(peer.userId, 'media:newProducer', { sessionId: this.sessionId, producer: producerInfo(producer) });
		return ok({ producerId: producer.id });
	}

	async setProducerPaused(peer: MediaPeer, producerId: string, paused: boolean): Promise<Result<true>> {
		const producer = peer.producers.get(producerId);
		if (!producer) return fail('not_found', 'Unknown producer.');
		if (paused) await producer.pause();
		else await producer.resume();
		this.toOthers(peer.userId, paused ? 'media:producerPaused' : 'media:producerResumed', { sessionId: this.sessionId, producerId, userId: peer.userId });
		return ok(true);
	}

	closeProducer(peer: MediaPeer, producerId: string): Result<true> {
		const producer = peer.producers.get(producerId);
		if (!producer) return fail('not_found', 'Unknown producer.');
		producer.close();
		return ok(true);
	}

	/** A paused consumer of someone else's producer; the browser resumes it once its side is ready. */
	async consume(peer: MediaPeer, producerId: string): Promise<Result<ConsumerOptions>> {
		// The pre-join screen shows nobody's media: only someone in the call receives it.
		if (!peer.inCall) return fail('forbidden', 'Join the call before receiving the others’ audio and video.');
		if (!peer.recv || peer.recv.closed) return fail('conflict', 'Create your transports before receiving media.');
		const producer = this.findProducer(producerId);
		if (!producer || producer.appData.userId === peer.userId) return fail('not_found', 'Unknown producer.');
		const rtpCapabilities = peer.rtpCapabilities as types.RtpCapabilities;
		if (!this.router.canConsume({ producerId, rtpCapabilities })) return fail('conflict', 'Your browser cannot receive this media.');
		// A retried consume (its answer was lost in a drop) replaces the old consumer.
		peer.consumerOf(producerId)?.close();
		const consumer = await peer.recv.consume({ producerId, rtpCapabilities, paused: true, enableRtx: true });
		peer.consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
		return ok({
			consumerId: consumer.id,
			producerId,
			userId: producer.appData.userId,
			kind: consumer.kind,
			source: producer.appData.source,
			rtpParameters: consumer.rtpParameters,
			producerPaused: consumer.producerPaused
		});
	}

	async setConsumerPaused(peer: MediaPeer, consumerId: string, paused: boolean): Promise<Result<true>> {
		const consumer = peer.consumers.get(consumerId);
		if (!consumer) return fail('not_found', 'Unknown consumer.');
		if (paused) await consumer.pause();
		else await consumer.resume();
		return ok(true);
	}

	/** A small tile asks for a small simulcast layer, so nobody decodes more than they show. */
	async preferLayer(peer: MediaPeer, consumerId: string, spatialLayer: number): Promise<Result<true>> {
		const consumer = peer.consumers.get(consumerId);
		if (!consumer) return fail('not_found', 'Unknown consumer.');
		// Audio and single-layer video have nothing to choose from.
		if (consumer.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: Math.min(spatialLayer, spatialLayersOf(consumer) - 1) });
		return ok(true);
	}

	private findProducer(producerId: string): types.Producer<ProducerData> | null {
		for (const p of this.peers.values()) {
			const producer = p.producers.get(producerId);
			if (producer) return producer;
		}
		return null;
	}

	/** The socket dropped; the peer keeps its media for the reconnect grace. */
	detach(userId: string, socketId: string): void {
		const peer = this.peers.get(userId);
		if (peer?.socketId === socketId) peer.socketId = null;
	}

	/** The person left for good: their media closes and the others are told. */
	removePeer(userId: string): void {
		const peer = this.peers.get(userId);
		if (!peer) return;
		const before = this.callKey();
		this.peers.delete(userId);
		peer.closeTransports();
		if (!this.quiet) this.tellInCall(before);
	}

	/**
	 * The worker under this room died: take a router on another worker and
	 * ask every browser to set its media up again.
	 */
	moveTo(router: types.Router, worker: MediaWorker): void {
		this.quiet = true;
		try {
			this.worker.appData.routers--;
			if (!this.router.closed) this.router.close();
			for (const peer of this.peers.values()) peer.forgetTransports();
		} finally {
			this.quiet = false;
		}
		this.router = router;
		this.worker = worker;
		worker.appData.routers++;
		for (const peer of this.peers.values()) {
			if (peer.socketId) this.notify(peer.socketId, 'media:renegotiate', { sessionId: this.sessionId, reason: 'The media server restarted a process; reconnecting video.' });
		}
	}

	close(): void {
		this.quiet = true;
		for (const peer of this.peers.values()) peer.closeTransports();
		this.peers.clear();
		this.worker.appData.routers--;
		if (!this.router.closed) this.router.close();
	}

	private toOthers<E extends keyof ServerToClientEvents>(userId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
		for (const p of this.peers.values()) {
			if (p.userId !== userId && p.socketId) this.notify(p.socketId, event, ...args);
		}
	}
}

function transportOptions(t: types.WebRtcTransport): TransportOptions {
	return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
}

/** How many spatial layers a simulcast consumer offers (its scalability mode, e.g. L2T1). */
function spatialLayersOf(consumer: types.Consumer): number {
	const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
	return Number(/^L(\d+)/.exec(mode)?.[1] ?? 1);
}
