/**
 * What this tab receives: one mediasoup consumer per track someone else
 * publishes, the list the tiles show, and each tile's wishes (a hidden tile
 * paused at the server, a small tile on the small layer), which outlive a
 * reconnect.
 */
import type { types } from 'mediasoup-client';
import type { MediaSource, ProducerInfo } from '$shared/protocol/index.ts';
import { log } from '$lib/log.ts';
import { mark } from './marks.ts';
import type { Request } from './transports.ts';

/** A track someone else publishes, as this tab receives it. */
export interface RemoteTrack {
	producerId: string;
	consumerId: string;
	userId: string;
	kind: 'audio' | 'video';
	source: MediaSource;
	track: MediaStreamTrack;
	/** The sender muted it (microphone) or turned it off (camera). */
	paused: boolean;
}

export class RemoteTracks {
	list = $state.raw<RemoteTrack[]>([]);
	/* eslint-disable svelte/prefer-svelte-reactivity -- bookkeeping behind `list`, which is what renders */
	readonly consumers = new Map<string, types.Consumer>();
	private readonly hidden = new Set<string>();
	/** Spatial layer wanted per producer. */
	private readonly layers = new Map<string, number>();
	/* eslint-enable svelte/prefer-svelte-reactivity */
	private readonly userId: string;
	private readonly sessionId: string;
	private readonly request: Request;
	private readonly largestLayer: () => number;
	/** Sets up the receiver (end-to-end decryption) before the server starts sending. */
	private readonly prepare: (consumer: types.Consumer, from: string) => void;

	constructor(deps: { userId: string; sessionId: string; request: Request; largestLayer: () => number; prepare?: (consumer: types.Consumer, from: string) => void }) {
		this.prepare = deps.prepare ?? (() => {});
		this.userId = deps.userId;
		this.sessionId = deps.sessionId;
		this.request = deps.request;
		this.largestLayer = deps.largestLayer;
	}

	/** Consumes what the server lists and drops consumers of producers that are gone. */
	async sync(transport: types.Transport | null, producers: ProducerInfo[]): Promise<void> {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup
		const wanted = new Set(producers.map((p) => p.producerId));
		for (const r of this.list) if (!wanted.has(r.producerId)) this.dropConsumerOf(r.producerId);
		await Promise.all(producers.filter((p) => !this.receiving(p.producerId)).map((p) => this.consume(transport, p)));
		for (const p of producers) this.markPaused(p.producerId, p.paused);
	}

	private receiving(producerId: string): boolean {
		return this.list.some((r) => r.producerId === producerId && this.consumers.get(r.consumerId)?.closed === false);
	}

	async consume(transport: types.Transport | null, info: ProducerInfo): Promise<void> {
		if (!transport || transport.closed || info.userId === this.userId) return;
		// Announced and listed both (it appeared while we joined): one consumer is enough.
		if (this.receiving(info.producerId)) return;
		const options = await this.request('media:consume', { sessionId: this.sessionId, producerId: info.producerId }).catch((err: { code?: string }) => {
			// The producer closed meanwhile: nothing to show.
			if (err.code === 'not_found') return null;
			throw err;
		});
		if (!options || transport.closed) return;
		const consumer = await transport.consume({
			id: options.consumerId,
			producerId: options.producerId,
			kind: options.kind,
			rtpParameters: options.rtpParameters as types.RtpParameters
		});
		this.prepare(consumer, options.userId);
		this.dropConsumerOf(options.producerId);
		this.consumers.set(consumer.id, consumer);
		consumer.on('transportclose', () => this.forget(consumer.id));
		this.list = [
			...this.list,
			{ producerId: options.producerId, consumerId: consumer.id, userId: options.userId, kind: options.kind, source: options.source, track: consumer.track, paused: options.producerPaused }
		];
		mark('consumer-ready', { kind: options.kind });
		const layer = this.layers.get(options.producerId);
		if (layer !== undefined && options.kind === 'video') await this.request('media:preferLayer', { sessionId: this.sessionId, consumerId: consumer.id, spatialLayer: layer });
		if (!this.hidden.has(options.producerId)) await this.request('media:resumeConsumer', { sessionId: this.sessionId, consumerId: consumer.id });
		mark('consumer-resumed', { kind: options.kind });
	}

	dropConsumerOf(producerId: string): void {
		const r = this.list.find((x) => x.producerId === producerId);
		if (!r) return;
		this.consumers.get(r.consumerId)?.close();
		this.forget(r.consumerId);
	}

	private forget(consumerId: string): void {
		this.consumers.delete(consumerId);
		if (this.list.some((r) => r.consumerId === consumerId)) this.list = this.list.filter((r) => r.consumerId !== consumerId);
	}

	markPaused(producerId: string, paused: boolean): void {
		if (!this.list.some((r) => r.producerId === producerId && r.paused !== paused)) return;
		this.list = this.list.map((r) => (r.producerId === producerId ? { ...r, paused } : r));
	}

	/** A tile scrolled out of view (or back): stop or restart its video at the server. */
	async setVisible(producerId: string, visible: boolean): Promise<void> {
		if (visible) this.hidden.delete(producerId);
		else this.hidden.add(producerId);
		const r = this.list.find((x) => x.producerId === producerId);
		if (!r || r.kind !== 'video') return;
		await this.request(visible ? 'media:resumeConsumer' : 'media:pauseConsumer', { sessionId: this.sessionId, consumerId: r.consumerId }).catch(this.wishFailed(visible ? 'resume hidden video' : 'pause hidden video', r));
	}

	/** A small tile (grid, strip) needs the small layer; a large one the full picture. */
	async preferLayer(producerId: string, small: boolean): Promise<void> {
		const spatialLayer = small ? 0 : this.largestLayer();
		if (this.layers.get(producerId) === spatialLayer) return;
		this.layers.set(producerId, spatialLayer);
		const r = this.list.find((x) => x.producerId === producerId);
		if (!r || r.kind !== 'video') return;
		await this.request('media:preferLayer', { sessionId: this.sessionId, consumerId: r.consumerId, spatialLayer }).catch(this.wishFailed('prefer a layer', r));
	}

	/**
	 * A tile's wish did not reach the server. Only logged: the picture goes
	 * on (just larger or smaller than needed), the wish is kept and sent
	 * again with the next consumer after a reconnect, and there is nothing
	 * for the person to do.
	 */
	private wishFailed(what: string, r: RemoteTrack): (err: unknown) => void {
		return (err) => log.warn({ area: 'room', err, code: (err as { code?: string })?.code, what, producerId: r.producerId, userId: r.userId }, 'tile preference did not reach the server');
	}

	/** The transports closed: every consumer went with them. */
	clear(): void {
		this.consumers.clear();
		this.list = [];
	}
}
