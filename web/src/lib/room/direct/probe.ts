/**
 * What the direct path reads: the test switch in the page's address, frames
 * decoded in a stats report (the sign that a path really shows a picture),
 * and the candidate pair a connection uses (tests check it joins the two
 * browsers, not the SFU).
 */

/**
 * `?direct=off` keeps a call on the SFU, `?direct=blocked` makes the direct
 * connection fail (host candidates dropped); honoured only when the server
 * allows test switches (never in production).
 */
export function directSwitch(): 'off' | 'blocked' | null {
	if (typeof location === 'undefined') return null;
	const value = new URLSearchParams(location.search).get('direct');
	return value === 'off' || value === 'blocked' ? value : null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** The most video frames decoded by any inbound stream of the report. */
export function framesOf(report: RTCStatsReport): number {
	let frames = 0;
	report.forEach((s: Stat) => {
		if (s.type === 'inbound-rtp') frames = Math.max(frames, Number(s.framesDecoded ?? 0));
	});
	return frames;
}

export interface CandidateEnd {
	address: string;
	port: number;
	type: string;
}

/** Both ends of the candidate pair the connection selected, or null before it has one. */
export function selectedPair(report: RTCStatsReport): { local: CandidateEnd; remote: CandidateEnd } | null {
	const byId = new Map<string, Stat>();
	report.forEach((s: Stat) => byId.set(s.id, s));
	const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
	const pair = transport ? byId.get(String(transport.selectedCandidatePairId)) : undefined;
	const end = (id: unknown): CandidateEnd | null => {
		const c = byId.get(String(id));
		return c ? { address: String(c.address ?? c.ip ?? ''), port: Number(c.port), type: String(c.candidateType) } : null;
	};
	const local = end(pair?.localCandidateId);
	const remote = end(pair?.remoteCandidateId);
	return local && remote ? { local, remote } : null;
}
