/**
 * The few edits the direct path makes to descriptions, all on text a
 * browser reads back (never to what it generated itself):
 * - the test switch that drops host candidates, so the connection cannot
 *   come up on one machine;
 * - the sending bitrate to start from: left alone, Chromium starts a peer
 *   connection's video at 300 kbps; the SFU path starts at 1 Mbps (through
 *   mediasoup-client), and the direct path does the same (see
 *   limits.join). The browser reads `x-google-start-bitrate` from the
 *   remote description's codec, so each side puts it into what it receives
 *   before applying it.
 */

export const isHost = (line: string) => / typ host( |$)/.test(line);

export function withoutHost(sdp: string): string {
	return sdp
		.split('\r\n')
		.filter((l) => !(l.startsWith('a=candidate:') && isHost(l)))
		.join('\r\n');
}

/** Video codecs whose encoder the start bitrate is for (not rtx, red or ulpfec). */
const ENCODERS = /^(VP8|VP9|H264|H265|AV1)$/i;

/** The description with every video codec starting at `kbps` (kept as is where it says so already). */
export function withStartBitrate(sdp: string, kbps: number): string {
	const lines = sdp.split('\r\n');
	const param = `x-google-start-bitrate=${kbps}`;
	let video = false;
	// Payload types of this section's video encoders, and whether each has an fmtp line.
	let encoders = new Map<string, boolean>();
	const out: string[] = [];
	const flush = () => {
		// Encoders without an fmtp line (VP8 has none) get one, at the end of their section.
		for (const [pt, hasFmtp] of encoders) if (!hasFmtp) out.push(`a=fmtp:${pt} ${param}`);
		encoders = new Map();
	};
	for (const line of lines) {
		if (line.startsWith('m=')) {
			flush();
			video = line.startsWith('m=video');
		} else if (video && line.startsWith('a=rtpmap:')) {
			const [, pt, codec] = /^a=rtpmap:(\d+) ([^/]+)/.exec(line) ?? [];
			if (pt && codec && ENCODERS.test(codec)) encoders.set(pt, false);
		} else if (video && line.startsWith('a=fmtp:')) {
			const [, pt] = /^a=fmtp:(\d+) /.exec(line) ?? [];
			if (pt && encoders.has(pt)) {
				encoders.set(pt, true);
				if (!line.includes('x-google-start-bitrate')) {
					out.push(`${line};${param}`);
					continue;
				}
			}
		}
		out.push(line);
	}
	// The SDP ends with \r\n (an empty last line): the last section's additions go before it.
	const trailing = out.at(-1) === '' ? out.pop() : undefined;
	flush();
	if (trailing !== undefined) out.push(trailing);
	return out.join('\r\n');
}
