/**
 * One RTCPeerConnection to the other person of a one-to-one call: media
 * browser to browser, negotiated with "perfect negotiation" (either side may
 * offer at any time; on a collision the polite side gives way) over the
 * server's relay. A data channel that never touches the server carries what
 * the tiles need (which stream is which source, mute and camera state) and
 * the hand-over between the direct path and the SFU.
 */
import type { DirectSignal, MediaSource } from '$shared/protocol/index.ts';
import type { RemoteTrack } from '../remote-tracks.svelte.ts';
import { framesOf } from './probe.ts';
import { mark } from '../marks.ts';
import { isHost, withoutHost, withStartBitrate } from './sdp.ts';

/** This person's media as the link sends it. */
export interface LocalMedia {
	mic: MediaStreamTrack | null;
	micOn: boolean;
	camera: MediaStreamTrack | null;
	screen: MediaStreamTrack | null;
}

/** What the other side says over the data channel. */
type PeerMessage =
	| { type: 'state'; streams: Record<string, MediaSource>; on: Record<MediaSource, boolean> }
	/** It shows our direct media: we may stop sending to the SFU. */
	| { type: 'ready' }
	/** It shows our SFU media: the direct connection may close. */
	| { type: 'switched' };

export interface LinkOptions {
	otherId: string;
	/** Gives way when both offer at once; decided by a rule both sides agree on (user id order). */
	polite: boolean;
	iceServers: RTCIceServer[] | undefined;
	/** Test switch: drop host candidates both ways, so the connection cannot come up on one machine. */
	blockHost: boolean;
	/** The video bitrate this side starts sending at (the browser's own start is slow to let a key frame out). */
	startBitrateKbps: number | undefined;
	send(signal: DirectSignal): void;
	/** Connected, or broken (disconnected, failed). */
	connection(up: boolean): void;
	/** Anything went wrong inside negotiation; logged by the owner. */
	failed(err: unknown, what: string): void;
	/** The other side sent a message (state changes are already applied). */
	message(type: 'ready' | 'switched'): void;
}

const SOURCES: MediaSource[] = ['mic', 'camera', 'screen'];

export class DirectLink {
	/** The other person's tracks, as tiles show them. */
	remote = $state.raw<RemoteTrack[]>([]);
	readonly otherId: string;
	readonly pc: RTCPeerConnection;
	peerReady = false;
	peerSwitched = false;
	/** The other side's last state (null until its data channel spoke). */
	peerState: Extract<PeerMessage, { type: 'state' }> | null = null;
	private readonly opts: LinkOptions;
	private readonly channel: RTCDataChannel;
	private readonly senders: Partial<Record<MediaSource, RTCRtpSender>> = {};
	private readonly streams = Object.fromEntries(SOURCES.map((s) => [s, new MediaStream()])) as Record<MediaSource, MediaStream>;
	/* eslint-disable svelte/prefer-svelte-reactivity -- bookkeeping behind `remote`, which is what renders */
	private readonly received = new Map<string, MediaStreamTrack>();
	/* eslint-enable svelte/prefer-svelte-reactivity */
	private local: LocalMedia = { mic: null, micOn: false, camera: null, screen: null };
	private makingOffer = false;
	/** A description came from the other side: from then on either side may offer. */
	private heard = false;
	private ignoreOffer = false;
	private answerPending = false;
	private incoming: Promise<void> = Promise.resolve();
	private closed = false;

	constructor(opts: LinkOptions) {
		this.opts = opts;
		this.otherId = opts.otherId;
		this.pc = new RTCPeerConnection({ iceServers: opts.iceServers, bundlePolicy: 'max-bundle' });
		// Negotiated on both sides with the same id: open as soon as the connection is, without an extra round.
		this.channel = this.pc.createDataChannel('call', { negotiated: true, id: 0 });
		this.channel.onopen = () => {
			mark('direct-channel-open');
			this.sendState();
		};
		this.channel.onmessage = (e) => this.onMessage(e.data);
		this.pc.onnegotiationneeded = () => void this.offer();
		this.pc.onicecandidate = ({ candidate }) => {
			if (!candidate || !candidate.candidate || (opts.blockHost && isHost(candidate.candidate))) return;
			opts.send({ kind: 'candidate', candidate: candidate.toJSON() as Extract<DirectSignal, { kind: 'candidate' }>['candidate'] });
		};
		this.pc.onconnectionstatechange = () => {
			const state = this.pc.connectionState;
			if (state === 'connected') {
				mark('direct-connected');
				opts.connection(true);
			}
			else if (state === 'disconnected' || state === 'failed') {
				opts.connection(false);
				if (state === 'failed' && !this.closed) this.pc.restartIce();
			}
		};
		this.pc.oniceconnectionstatechange = () => {
			if (this.pc.iceConnectionState === 'connected') mark('direct-ice-connected');
		};
		this.pc.ontrack = ({ track, streams }) => {
			const id = streams[0]?.id;
			if (!id) return;
			mark('direct-track', { kind: track.kind });
			this.received.set(id, track);
			this.rebuild();
		};
	}

	get connected(): boolean {
		return this.pc.connectionState === 'connected';
	}

	/** Sends what this person has on now: a muted microphone or a camera off sends nothing. */
	async setLocal(local: LocalMedia): Promise<void> {
		this.local = local;
		const wanted: Record<MediaSource, MediaStreamTrack | null> = {
			mic: local.micOn && local.mic?.readyState === 'live' ? local.mic : null,
			camera: local.camera,
			screen: local.screen
		};
		for (const source of SOURCES) {
			const track = wanted[source];
			const sender = this.senders[source];
			if (this.closed) return;
			// A sender once made stays (null track when off): turning things on and off needs no new negotiation.
			if (sender) {
				if (sender.track !== track) await sender.replaceTrack(track).catch((err: unknown) => this.opts.failed(err, `replace ${source}`));
			} else if (track) {
				this.senders[source] = this.pc.addTrack(track, this.streams[source]);
			}
		}
		this.sendState();
	}

	/** A description or candidate from the other side, in the order they came. */
	receive(signal: DirectSignal): void {
		this.incoming = this.incoming.then(() => this.apply(signal)).catch((err: unknown) => this.opts.failed(err, `apply ${signal.kind}`));
	}

	private async apply(signal: DirectSignal): Promise<void> {
		if (this.closed) return;
		if (signal.kind === 'description') {
			const { description } = signal;
			this.heard = true;
			mark(`direct-${description.type}-received`);
			const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.answerPending);
			const collision = description.type === 'offer' && !readyForOffer;
			this.ignoreOffer = !this.opts.polite && collision;
			if (this.ignoreOffer) return;
			this.answerPending = description.type === 'answer';
			await this.pc.setRemoteDescription({ type: description.type, sdp: this.remoteSdp(description.sdp) });
			this.answerPending = false;
			if (description.type === 'offer') {
				await this.pc.setLocalDescription();
				this.sendDescription();
			}
		} else if (signal.kind === 'candidate') {
			if (this.opts.blockHost && isHost(signal.candidate.candidate)) return;
			try {
				await this.pc.addIceCandidate(signal.candidate);
			} catch (err) {
				// A candidate of an offer we ignored is expected to fail.
				if (!this.ignoreOffer) throw err;
			}
		}
	}

	/** The other side's description as this side applies it. */
	private remoteSdp(sdp: string): string {
		const { blockHost, startBitrateKbps } = this.opts;
		const kept = blockHost ? withoutHost(sdp) : sdp;
		return startBitrateKbps ? withStartBitrate(kept, startBitrateKbps) : kept;
	}

	private async offer(): Promise<void> {
		// The first offer is the impolite side's: two first offers at once (both add the data channel)
		// made Chromium fail the polite side's answer ("Failed to start SCTP transport") and loop.
		// Tracks added meanwhile join through the answer, or the offer that follows it.
		if (this.opts.polite && !this.heard) return;
		try {
			this.makingOffer = true;
			await this.pc.setLocalDescription();
			this.sendDescription();
		} catch (err) {
			this.opts.failed(err, 'offer');
		} finally {
			this.makingOffer = false;
		}
	}

	private sendDescription(): void {
		const d = this.pc.localDescription;
		if (!d || (d.type !== 'offer' && d.type !== 'answer') || this.closed) return;
		mark(`direct-${d.type}-sent`);
		// Candidates gathered by now may be in the SDP; the test switch strips host ones there too.
		this.opts.send({ kind: 'description', description: { type: d.type, sdp: this.opts.blockHost ? withoutHost(d.sdp) : d.sdp } });
	}

	/** Tells the other side which stream is which source and what is on. */
	private sendState(): void {
		const streams: Record<string, MediaSource> = {};
		for (const source of SOURCES) if (this.senders[source]) streams[this.streams[source].id] = source;
		const on = { mic: Boolean(this.local.mic && this.local.micOn), camera: Boolean(this.local.camera), screen: Boolean(this.local.screen) };
		this.post({ type: 'state', streams, on });
	}

	post(message: PeerMessage): void {
		if (this.channel.readyState === 'open') this.channel.send(JSON.stringify(message));
	}

	private onMessage(data: unknown): void {
		let m: PeerMessage;
		try {
			m = JSON.parse(String(data)) as PeerMessage;
		} catch (err) {
			this.opts.failed(err, 'read a data channel message');
			return;
		}
		if (m.type === 'state') {
			if (!this.peerState) mark('direct-state-received');
			this.peerState = m;
			this.rebuild();
		} else if (m.type === 'ready' || m.type === 'switched') {
			if (m.type === 'ready') this.peerReady = true;
			else this.peerSwitched = true;
			this.opts.message(m.type);
		}
	}

	private rebuild(): void {
		const state = this.peerState;
		if (!state) return;
		const out: RemoteTrack[] = [];
		for (const [streamId, source] of Object.entries(state.streams)) {
			const track = this.received.get(streamId);
			if (!track) continue;
			const id = `direct:${this.otherId}:${source}`;
			out.push({ producerId: id, consumerId: id, userId: this.otherId, kind: source === 'mic' ? 'audio' : 'video', source, track, paused: !state.on[source] });
		}
		this.remote = out;
	}

	/** The track received for a source, for stats. */
	trackOf(source: MediaSource): MediaStreamTrack | null {
		return this.remote.find((r) => r.source === source)?.track ?? null;
	}

	/** Frames decoded so far of the other's camera (0 before the first). */
	async framesDecoded(): Promise<number> {
		const track = this.trackOf('camera');
		if (!track) return 0;
		return framesOf(await this.pc.getStats(track));
	}

	/** The sender of this person's camera (or microphone), for the quality indicator. */
	outbound(): RTCRtpSender | null {
		return this.senders.camera?.track ? this.senders.camera : (this.senders.mic ?? null);
	}

	/** A new ICE round: the network changed or the socket came back while the connection was down. */
	restart(): void {
		if (!this.closed && !this.connected) this.pc.restartIce();
	}

	close(): void {
		this.closed = true;
		this.channel.close();
		this.pc.close();
		this.remote = [];
	}
}
