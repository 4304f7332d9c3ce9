/**
 * What the browser can measure about a call from WebRTC stats: the quality
 * indicator per person, and received audio (for tests and the benchmark).
 * Kept apart from LiveMedia, which sets the call up and keeps it going.
 */
import type { types } from 'mediasoup-client';
import { QualityMeter, type Quality } from './quality.ts';
import type { RemoteTrack } from './remote-tracks.svelte.ts';
import type { DirectLink } from './direct/link.svelte.ts';

export class CallStats {
	private meters = new Map<string, QualityMeter>();

	/**
	 * Connection figures per user id (this person's own under `selfId`), or
	 * null when a consumer closed while measuring (the next round is fine).
	 */
	async measure(call: { direct: DirectLink | null; remote: RemoteTrack[]; consumers: Map<string, types.Consumer>; send: types.Transport | null; selfId: string }): Promise<Record<string, Quality> | null> {
		if (call.direct) return this.measureDirect(call.direct, call.selfId);
		const { remote, consumers, send, selfId } = call;
		const next: Record<string, Quality> = {};
		const byUser = new Map<string, types.Consumer>();
		for (const r of remote) {
			const c = consumers.get(r.consumerId);
			if (!c || c.closed) continue;
			// Video says more about a link than audio; fall back to audio when the camera is off.
			if (!byUser.has(r.userId) || (r.kind === 'video' && r.source === 'camera')) byUser.set(r.userId, c);
		}
		try {
			for (const [userId, consumer] of byUser) {
				next[userId] = this.meterFor(`in:${userId}:${consumer.id}`).update(await consumer.getStats(), 'inbound');
			}
			if (send && !send.closed) next[selfId] = this.meterFor(`out:${send.id}`).update(await send.getStats(), 'outbound');
		} catch {
			return null;
		}
		return next;
	}

	/** The same figures for a call on the direct path: the other's camera (or microphone) in, ours out. */
	private async measureDirect(link: DirectLink, selfId: string): Promise<Record<string, Quality> | null> {
		const next: Record<string, Quality> = {};
		const camera = link.remote.find((r) => r.source === 'camera' && !r.paused);
		const inbound = camera ?? link.remote.find((r) => r.source === 'mic');
		const sender = link.outbound();
		try {
			if (inbound) next[link.otherId] = this.meterFor(`direct-in:${inbound.track.id}`).update(await link.pc.getStats(inbound.track), 'inbound');
			if (sender?.track) next[selfId] = this.meterFor(`direct-out:${sender.track.id}`).update(await sender.getStats(), 'outbound');
		} catch {
			return null;
		}
		return next;
	}

	/** Forgets the meters of closed transports and consumers. */
	reset(): void {
		this.meters.clear();
	}

	private meterFor(key: string): QualityMeter {
		let m = this.meters.get(key);
		if (!m) this.meters.set(key, (m = new QualityMeter()));
		return m;
	}
}

/** Received audio per person: bytes and total energy of each inbound audio stream, from the path it came on. */
export async function inboundAudio(remote: RemoteTrack[], consumers: Map<string, types.Consumer>, direct: DirectLink | null): Promise<Record<string, { bytes: number; energy: number }>> {
	const out: Record<string, { bytes: number; energy: number }> = {};
	for (const r of remote) {
		if (r.kind !== 'audio') continue;
		const stats = direct && r.userId === direct.otherId ? direct.pc.getStats(r.track) : (consumers.get(r.consumerId)?.getStats() ?? null);
		if (!stats) continue;
		(await stats).forEach((s: Record<string, unknown> & { type: string }) => {
			if (s.type === 'inbound-rtp') out[r.userId] = { bytes: Number(s.bytesReceived ?? 0), energy: Number(s.totalAudioEnergy ?? 0) };
		});
	}
	return out;
}
