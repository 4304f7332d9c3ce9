/**
 * A connection indicator from WebRTC statistics: round trip, packet loss and
 * bitrate, summed up as good / fair / poor with the figures for the tooltip.
 */

export interface Quality {
	level: 'good' | 'fair' | 'poor' | 'unknown';
	rttMs: number | null;
	lossPct: number | null;
	kbps: number | null;
}

/** Thresholds where people start to notice: talk-over above ~300 ms, artefacts above a few % loss. */
const FAIR = { rttMs: 150, lossPct: 2 };
const POOR = { rttMs: 400, lossPct: 8 };

export function levelOf(rttMs: number | null, lossPct: number | null): Quality['level'] {
	if (rttMs === null && lossPct === null) return 'unknown';
	if ((rttMs ?? 0) > POOR.rttMs || (lossPct ?? 0) > POOR.lossPct) return 'poor';
	if ((rttMs ?? 0) > FAIR.rttMs || (lossPct ?? 0) > FAIR.lossPct) return 'fair';
	return 'good';
}

interface Counters {
	at: number;
	bytes: number;
	packets: number;
	lost: number;
}

/**
 * Turns successive stats reports of one stream (inbound: what we receive
 * from a person; outbound: what we send) into a Quality. Keeps the previous
 * counters to compute rates over the last interval.
 */
export class QualityMeter {
	private last: Counters | null = null;

	update(report: RTCStatsReport, direction: 'inbound' | 'outbound'): Quality {
		let bytes = 0;
		let packets = 0;
		let lost = 0;
		let rtt: number | null = null;
		let remoteLoss: number | null = null;
		report.forEach((s: Record<string, unknown> & { type: string }) => {
			if (direction === 'inbound' && s.type === 'inbound-rtp') {
				bytes += Number(s.bytesReceived ?? 0);
				packets += Number(s.packetsReceived ?? 0);
				lost += Math.max(0, Number(s.packetsLost ?? 0));
			} else if (direction === 'outbound' && s.type === 'outbound-rtp') {
				bytes += Number(s.bytesSent ?? 0);
				packets += Number(s.packetsSent ?? 0);
			} else if (direction === 'outbound' && s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') {
				remoteLoss = Math.max(remoteLoss ?? 0, s.fractionLost * 100);
			} else if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
				rtt = s.currentRoundTripTime * 1000;
			}
		});
		const now = performance.now();
		let kbps: number | null = null;
		let lossPct: number | null = remoteLoss;
		if (this.last && now > this.last.at) {
			kbps = Math.max(0, ((bytes - this.last.bytes) * 8) / (now - this.last.at));
			if (direction === 'inbound') {
				const got = packets - this.last.packets;
				const missed = lost - this.last.lost;
				lossPct = got + missed > 0 ? (100 * Math.max(0, missed)) / (got + missed) : 0;
			}
		}
		this.last = { at: now, bytes, packets, lost };
		return { level: levelOf(rtt, lossPct), rttMs: rtt === null ? null : Math.round(rtt), lossPct: lossPct === null ? null : Math.round(lossPct * 10) / 10, kbps: kbps === null ? null : Math.round(kbps) };
	}
}

export function describeQuality(q: Quality): string {
	if (q.level === 'unknown') return 'Connection: measuring…';
	const parts = [q.rttMs !== null ? `${q.rttMs} ms round trip` : null, q.lossPct !== null ? `${q.lossPct}% loss` : null, q.kbps !== null ? `${q.kbps} kbps` : null].filter(Boolean);
	return `Connection ${q.level}: ${parts.join(', ')}`;
}
