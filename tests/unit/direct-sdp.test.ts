/**
 * The direct path's edits to a received description: video encoders start
 * at the given bitrate (with or without an fmtp line of their own), the
 * rest of the description is left as it was, and host candidates go only
 * under the test switch.
 */
import { describe, expect, it } from 'vitest';
import { withoutHost, withStartBitrate } from '../../web/src/lib/room/direct/sdp.ts';

const sdp = [
	'v=0',
	'o=- 1 2 IN IP4 127.0.0.1',
	's=-',
	't=0 0',
	'a=group:BUNDLE 0 1',
	'm=audio 9 UDP/TLS/RTP/SAVPF 111',
	'a=mid:0',
	'a=rtpmap:111 opus/48000/2',
	'a=fmtp:111 minptime=10;useinbandfec=1',
	'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102',
	'a=mid:1',
	'a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0',
	'a=candidate:2 1 udp 1686052607 192.0.2.1 50001 typ srflx raddr 127.0.0.1 rport 50000',
	'a=rtpmap:96 VP8/90000',
	'a=rtcp-fb:96 nack pli',
	'a=rtpmap:97 rtx/90000',
	'a=fmtp:97 apt=96',
	'a=rtpmap:102 H264/90000',
	'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
	'a=ssrc:1 cname:x',
	''
].join('\r\n');

const linesOf = (s: string) => s.split('\r\n');

describe('withStartBitrate', () => {
	const out = linesOf(withStartBitrate(sdp, 1000));

	it('gives VP8 (no fmtp line) one in its own section, and appends to H264 fmtp', () => {
		expect(out).toContain('a=fmtp:96 x-google-start-bitrate=1000');
		expect(out).toContain('a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;x-google-start-bitrate=1000');
		// The new line is inside the video section, and the description still ends with CRLF.
		expect(out.indexOf('a=fmtp:96 x-google-start-bitrate=1000')).toBeGreaterThan(out.indexOf('m=video 9 UDP/TLS/RTP/SAVPF 96 97 102'));
		expect(out.at(-1)).toBe('');
	});

	it('leaves audio, rtx and everything else alone', () => {
		expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1');
		expect(out).toContain('a=fmtp:97 apt=96');
		expect(out.filter((l) => l.includes('x-google-start-bitrate'))).toHaveLength(2);
		expect(out.filter((l) => !l.includes('x-google-start-bitrate'))).toEqual(linesOf(sdp).filter((l) => l !== 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'));
	});

	it('keeps a start bitrate the description already has, and is idempotent', () => {
		const once = withStartBitrate(sdp, 1000);
		expect(withStartBitrate(once, 500)).toBe(once);
	});

	it('adds the line before a following section, not after it', () => {
		const twoVideos = sdp.replace('a=ssrc:1 cname:x\r\n', 'a=ssrc:1 cname:x\r\nm=video 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:2\r\na=rtpmap:98 VP8/90000\r\n');
		const lines = linesOf(withStartBitrate(twoVideos, 800));
		const second = lines.indexOf('m=video 9 UDP/TLS/RTP/SAVPF 98');
		expect(lines.indexOf('a=fmtp:96 x-google-start-bitrate=800')).toBeLessThan(second);
		expect(lines.indexOf('a=fmtp:98 x-google-start-bitrate=800')).toBeGreaterThan(second);
	});
});

describe('withoutHost', () => {
	it('drops host candidates only', () => {
		const out = withoutHost(sdp);
		expect(out).not.toContain('typ host');
		expect(out).toContain('typ srflx');
	});
});
