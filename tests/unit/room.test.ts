/** The live room's pure pieces: the connection indicator and device messages. */
import { describe, expect, it } from 'vitest';
import { QualityMeter, describeQuality, levelOf } from '../../web/src/lib/room/quality.ts';
import { explain } from '../../web/src/lib/room/devices.ts';

const report = (entries: Array<Record<string, unknown>>) => new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;

describe('connection quality', () => {
	it('grades round trip and loss where people notice them', () => {
		expect(levelOf(null, null)).toBe('unknown');
		expect(levelOf(20, 0)).toBe('good');
		expect(levelOf(200, 0)).toBe('fair');
		expect(levelOf(20, 3)).toBe('fair');
		expect(levelOf(500, 0)).toBe('poor');
		expect(levelOf(20, 10)).toBe('poor');
	});

	it('turns successive inbound reports into bitrate and loss over the interval', async () => {
		const meter = new QualityMeter();
		const pair = { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.012 };
		const first = meter.update(report([{ type: 'inbound-rtp', bytesReceived: 1000, packetsReceived: 100, packetsLost: 0 }, pair]), 'inbound');
		expect(first).toMatchObject({ rttMs: 12, kbps: null, level: 'good' });
		await new Promise((r) => setTimeout(r, 50));
		const second = meter.update(report([{ type: 'inbound-rtp', bytesReceived: 51_000, packetsReceived: 190, packetsLost: 10 }, pair]), 'inbound');
		expect(second.lossPct).toBe(10);
		expect(second.level).toBe('poor');
		expect(second.kbps).toBeGreaterThan(1000);
		expect(describeQuality(second)).toMatch(/^Connection poor: 12 ms round trip, 10% loss, \d+ kbps$/);
	});

	it('reads loss reported back by the receiver for what we send', () => {
		const q = new QualityMeter().update(report([{ type: 'outbound-rtp', bytesSent: 10, packetsSent: 1 }, { type: 'remote-inbound-rtp', fractionLost: 0.05 }]), 'outbound');
		expect(q).toMatchObject({ lossPct: 5, level: 'fair' });
	});
});

describe('device problems', () => {
	it('says what to do for blocked, missing and busy devices', () => {
		expect(explain('camera', { name: 'NotAllowedError' })).toMatch(/camera is blocked.*join without it/);
		expect(explain('mic', { name: 'NotFoundError' })).toBe('No microphone was found. You can join without it.');
		expect(explain('camera', { name: 'NotFoundError' })).toMatch(/still be heard/);
		expect(explain('mic', { name: 'NotReadableError' })).toMatch(/busy/);
		expect(explain('camera', new Error('?'))).toMatch(/could not be started/);
	});
});
