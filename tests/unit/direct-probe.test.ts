/**
 * What the direct path reads from WebRTC stats: the candidate pair a
 * connection selected (both ends), and the frames decoded so far.
 */
import { describe, expect, it } from 'vitest';
import { framesOf, selectedPair } from '../../web/src/lib/room/direct/probe.ts';

const report = (...stats: Array<Record<string, unknown>>) => new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;

describe('selectedPair', () => {
	it('follows the transport to its selected pair and both candidates', () => {
		const r = report(
			{ id: 'T1', type: 'transport', selectedCandidatePairId: 'CP2' },
			{ id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1' },
			{ id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R2' },
			{ id: 'L1', type: 'local-candidate', address: '10.0.0.1', port: 1111, candidateType: 'host' },
			{ id: 'L2', type: 'local-candidate', address: '127.0.0.1', port: 50001, candidateType: 'host' },
			{ id: 'R1', type: 'remote-candidate', address: '10.0.0.2', port: 2222, candidateType: 'host' },
			{ id: 'R2', type: 'remote-candidate', ip: '127.0.0.1', port: 50002, candidateType: 'srflx' }
		);
		expect(selectedPair(r)).toEqual({ local: { address: '127.0.0.1', port: 50001, type: 'host' }, remote: { address: '127.0.0.1', port: 50002, type: 'srflx' } });
	});

	it('is null before a pair is selected, or when a candidate is missing', () => {
		expect(selectedPair(report({ id: 'T1', type: 'transport' }))).toBeNull();
		expect(selectedPair(report({ id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' }, { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1' }))).toBeNull();
	});
});

describe('framesOf', () => {
	it('takes the most frames decoded by any inbound stream, ignoring outbound ones', () => {
		expect(framesOf(report({ id: 'a', type: 'inbound-rtp', framesDecoded: 12 }, { id: 'b', type: 'inbound-rtp', framesDecoded: 40 }, { id: 'c', type: 'outbound-rtp', framesEncoded: 900 }))).toBe(40);
		expect(framesOf(report({ id: 'a', type: 'inbound-rtp', kind: 'audio' }))).toBe(0);
	});
});
