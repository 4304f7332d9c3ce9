/**
 * Live video and audio for coaching sessions, through a mediasoup SFU.
 *
 * What it offers:
 * - a pool of mediasoup workers (one per core unless MEDIA_WORKERS says
 *   otherwise) and, per live session, a router on the least-loaded worker;
 * - per participant a send and a receive WebRTC transport, their microphone
 *   (opus), camera (VP8 simulcast) and screen, and a consumer of everyone
 *   else's tracks, over the session's socket.io connection (`media:*`
 *   events, see shared/protocol/media.ts) for members only;
 * - recovery: a reconnecting tab keeps its transports (ICE restart), a
 *   participant gone for good is cleaned up and the others are told, and the
 *   sessions of a worker that died move to a live worker and their browsers
 *   renegotiate;
 * - end-to-end encrypted calls: the relay of the browsers' key exchange
 *   (e2ee.ts), the call's encryption mode told with who is in the call, and
 *   a refusal for a browser that cannot encrypt when the coach requires it.
 * - for a call of exactly two, the relay of their peer-to-peer signalling
 *   (`media:direct`, see direct.ts): media then goes browser to browser;
 * - with several instances (`cluster` given), one room per session across
 *   all of them: the instance holding the session's lease hosts it and the
 *   others forward their sockets' requests (clustered.ts).
 */
import type { types } from 'mediasoup';
import { limits, type Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Rooms } from '../rooms/index.ts';
import type { Cluster } from '../cluster/index.ts';
import type { MediaCapabilities } from '../../shared/protocol/media.ts';
import { mediaCodecs } from './codecs.ts';
import { MediaRoom, type Notify, type TransportSettings } from './room.ts';
import { KeyedQueue, registerMediaSignalling } from './signalling.ts';
import { localDispatch, mediaOps, type Dispatch, type MediaOps } from './ops.ts';
import { clusteredMedia, type ClusteredMedia } from './clustered.ts';
import { WorkerPool, type MediaWorker } from './workers.ts';

/** The SFU adds its socket events to the rooms; the server only needs to stop it. */
export interface Media {
	close(): Promise<void>;
}

export async function createMedia(deps: { config: Config; log: Logger; rooms: Rooms; e2eeRequired(sessionId: string): Promise<boolean>; cluster?: Cluster | null }): Promise<Media> {
	const { config, rooms } = deps;
	const log = deps.log.child({ feature: 'media' });
	const pool = new WorkerPool({ size: WorkerPool.defaultSize(config.media.workers) }, log);
	await pool.start();

	if ((config.media.listenIp === '0.0.0.0' || config.media.listenIp === '::') && !config.media.announcedIp) {
		// Browsers would be told to send media to 0.0.0.0, which never arrives.
		log.warn({ listenIp: config.media.listenIp }, 'MEDIA_LISTEN_IP listens on every address but MEDIA_ANNOUNCED_IP is not set: set it to the address browsers reach this server at, or video will not connect');
	}
	const portRange = { min: config.media.rtcMinPort, max: config.media.rtcMaxPort };
	const transportSettings: TransportSettings = {
		listenInfos: (['udp', 'tcp'] as const).map((protocol) => ({
			protocol,
			ip: config.media.listenIp,
			announcedAddress: config.media.announcedIp,
			portRange
		}))
	};

	const live = new Map<string, MediaRoom>();
	const queue = new KeyedQueue();
	const closeRoom = (sessionId: string, why: string) => {
		const room = live.get(sessionId);
		if (!room) return;
		live.delete(sessionId);
		room.close();
		log.info({ session: sessionId, why }, 'media room closed');
	};
	let ops: MediaOps | null = null;
	const clustered: ClusteredMedia | null = deps.cluster ? clusteredMedia({ cluster: deps.cluster, rooms, log, queue, live, closeRoom, ops: () => ops! }) : null;

	// Cut off from Redis, this instance can no longer renew its leases: its rooms close before another instance takes them over, and the browsers renegotiate there.
	deps.cluster?.onCutOff(() => {
		for (const id of [...live.keys()]) closeRoom(id, 'cut off from Redis');
	});

	const notify: Notify =
		clustered?.notify ??
		((socketId, event, ...args) => {
			(rooms.io.to(socketId).emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
		});

	const opening = new Map<string, Promise<MediaRoom | null>>();

	async function newRouter(): Promise<{ router: types.Router; worker: MediaWorker } | null> {
		const worker = await pool.leastLoaded();
		if (!worker) return null;
		return { router: await worker.createRouter({ mediaCodecs }), worker };
	}

	function roomFor(sessionId: string): Promise<MediaRoom | null> {
		const existing = live.get(sessionId);
		if (existing) return Promise.resolve(existing);
		let pending = opening.get(sessionId);
		if (!pending) {
			pending = (async () => {
				try {
					const placed = await newRouter();
					if (!placed) return null;
					const room = new MediaRoom({ sessionId, ...placed, notify, transportSettings, log: log.child({ session: sessionId }) });
					live.set(sessionId, room);
					log.info({ session: sessionId, worker: placed.worker.pid }, 'media room opened');
					return room;
				} finally {
					opening.delete(sessionId);
				}
			})();
			opening.set(sessionId, pending);
		}
		return pending;
	}

	pool.on('died', (dead) => {
		for (const room of live.values()) {
			if (room.worker !== dead) continue;
			void newRouter().then(
				(placed) => {
					if (live.get(room.sessionId) !== room) return placed?.router.close();
					if (!placed) {
						log.error({ session: room.sessionId }, 'no live mediasoup worker to move the session to');
						live.delete(room.sessionId);
						room.close();
						return;
					}
					room.moveTo(placed.router, placed.worker);
					log.info({ session: room.sessionId, worker: placed.worker.pid }, 'media room moved to a live worker');
				},
				(err: unknown) => log.error({ err, session: room.sessionId }, 'could not move media room')
			);
		}
	});

	if (!clustered) {
		// Alone, every socket is here; with several instances clustered.ts takes these to the room's owner.
		rooms.events.on('socketClosed', (sessionId, userId, socketId) => live.get(sessionId)?.detach(userId, socketId));
		rooms.events.on('gone', (sessionId, userId) => live.get(sessionId)?.removePeer(userId));
		rooms.events.on('empty', (sessionId) => closeRoom(sessionId, 'everyone left'));
	}

	const capabilities = (room: MediaRoom): Omit<MediaCapabilities, 'e2eeRequired'> => ({
		routerRtpCapabilities: room.router.rtpCapabilities,
		routerId: room.router.id,
		iceServers: config.media.iceServers,
		cameraLayers: limits.media.cameraLayers.map((l) => ({ ...l })),
		screenMaxBitrate: limits.media.screenMaxBitrate,
		direct: {
			connectTimeoutMs: limits.media.directConnectTimeoutMs,
			switchWaitMs: limits.media.directSwitchWaitMs,
			aloneGraceMs: limits.media.directAloneGraceMs,
			startBitrateKbps: limits.join.directStartBitrateKbps,
			testSwitches: config.media.directTestSwitches
		}
	});

	const existingRoom = (id: string) => live.get(id) ?? null;
	ops = mediaOps({ log, roomFor, existingRoom, capabilities, e2eeRequired: deps.e2eeRequired, joined: clustered?.joined });
	const dispatch: Dispatch = clustered?.dispatch ?? localDispatch(ops);
	const instanceId = deps.cluster?.instanceId ?? 'local';
	rooms.addFeature((socket) => registerMediaSignalling(socket, { rooms, log, instanceId, dispatch, queue }));

	return {
		async close() {
			await clustered?.close();
			for (const room of live.values()) room.close();
			live.clear();
			await pool.close();
		}
	};
}
