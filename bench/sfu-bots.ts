// bench:sfu's bots, in their own processes so that their CPU is never the
// worker's: `node bench/sfu-bots.ts send` replays the clip's VP8 and opus RTP
// to each bot's send transport, SRTP-protected as a browser's would be (the
// worker decrypts every packet it receives, as in production);
// `node bench/sfu-bots.ts sink` receives what the worker forwards to each
// bot's receive transport and counts packets, bytes and gaps per SSRC (the
// RTP header stays in the clear under SRTP, so nothing is decrypted here).
// Driven over the IPC channel by bench/sfu.ts.
import { createCipheriv, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import { loadClip, type ClipStream } from './sfu-clip.ts';

export type BotRequest =
	| { type: 'open'; count: number }
	| { type: 'start'; bots: SendBot[] }
	| { type: 'expect'; ssrcs: number[] }
	| { type: 'counters' }
	| { type: 'stop' };

export interface SendBot {
	/** Index of a socket this process opened. */
	socket: number;
	port: number;
	/** SRTP suite and master key and salt (base64); null sends plain RTP. */
	srtp: { suite: SrtpSuite; keyBase64: string } | null;
	videoSsrc: number;
	audioSsrc: number;
	/** Where in the clip this bot starts, so keyframes of different bots do not all fall together. */
	phaseMs: number;
	audio: boolean;
}

export interface Counters {
	/** RTP packets and bytes (UDP payload) sent or received. */
	packets: number;
	bytes: number;
	/** Sink: packets the sequence numbers say should have arrived. */
	expected: number;
	rtcp: number;
	/** Sink: packets on SSRCs nobody expects (probation, RTX). */
	other: number;
	/** Sender: how late, at most, a packet left after it was due (ms), since the last read. */
	maxLateMs: number;
	/** Sender: media time skipped because this process got the CPU too late (ms, all bots). */
	stalledMs: number;
}

/**
 * A sender starved of CPU does not catch up in one burst (a second of video
 * at once would overflow the worker's socket, ~200 KB per transport: a loss
 * that is the bots' doing): past this lateness its bot's clock moves on, like
 * a stalled camera.
 */
const MAX_LATE_MS = 250;

export type SrtpSuite = 'AEAD_AES_256_GCM' | 'AES_CM_128_HMAC_SHA1_80';

/** Master key and salt lengths in bytes (RFC 3711, RFC 7714). */
export const SRTP_KEYS: Record<SrtpSuite, { key: number; salt: number }> = {
	AEAD_AES_256_GCM: { key: 32, salt: 12 },
	AES_CM_128_HMAC_SHA1_80: { key: 16, salt: 14 }
};

/**
 * The sending side of SRTP (RFC 3711; RFC 7714 for AES-GCM), key derivation
 * rate 0: what a browser does to each packet before it leaves, so the worker
 * has the real work of checking and decrypting it.
 */
export class SrtpSender {
	private readonly suite: SrtpSuite;
	private readonly encKey: Buffer;
	private readonly authKey: Buffer;
	private readonly salt: Buffer;

	constructor(suite: SrtpSuite, master: Buffer) {
		const { key: keyLength, salt: saltLength } = SRTP_KEYS[suite];
		const key = master.subarray(0, keyLength);
		const masterSalt = master.subarray(keyLength, keyLength + saltLength);
		const aes = keyLength === 32 ? 'aes-256-ctr' : 'aes-128-ctr';
		// AES-CM PRF: IV = (master salt, zero-padded to 112 bits) XOR (label << 48), then a 16-bit counter.
		const derive = (label: number, length: number) => {
			const iv = Buffer.alloc(16);
			masterSalt.copy(iv, 0);
			iv[7]! ^= label;
			return createCipheriv(aes, key, iv).update(Buffer.alloc(length));
		};
		this.suite = suite;
		this.encKey = derive(0, keyLength);
		this.authKey = derive(1, 20);
		this.salt = derive(2, saltLength);
	}

	protect(packet: Buffer, roc: number): Buffer {
		const headerLength = rtpHeaderLength(packet);
		const header = packet.subarray(0, headerLength);
		const payload = packet.subarray(headerLength);
		if (this.suite === 'AEAD_AES_256_GCM') {
			// RFC 7714 8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; the header is the additional data.
			const iv = Buffer.alloc(12);
			packet.copy(iv, 2, 8, 12);
			iv.writeUInt32BE(roc >>> 0, 6);
			packet.copy(iv, 10, 2, 4);
			for (let i = 0; i < 12; i++) iv[i]! ^= this.salt[i]!;
			const gcm = createCipheriv('aes-256-gcm', this.encKey, iv);
			gcm.setAAD(header);
			const sealed = gcm.update(payload);
			gcm.final();
			return Buffer.concat([header, sealed, gcm.getAuthTag()]);
		}
		const iv = Buffer.alloc(16);
		this.salt.copy(iv, 0);
		for (let i = 0; i < 4; i++) iv[4 + i]! ^= packet[8 + i]!;
		iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
		iv[12]! ^= packet[2]!;
		iv[13]! ^= packet[3]!;
		const body = Buffer.concat([header, createCipheriv('aes-128-ctr', this.encKey, iv).update(payload)]);
		const rocBytes = Buffer.alloc(4);
		rocBytes.writeUInt32BE(roc >>> 0);
		const tag = createHmac('sha1', this.authKey).update(body).update(rocBytes).digest().subarray(0, 10);
		return Buffer.concat([body, tag]);
	}
}

function rtpHeaderLength(p: Buffer): number {
	const first = p[0] ?? 0;
	let length = 12 + 4 * (first & 0x0f);
	if (first & 0x10) length += 4 + 4 * p.readUInt16BE(length + 2);
	return length;
}

/** One stream (video or audio) of one sending bot: where it is in the clip and its own RTP clock and numbering. */
interface Track {
	clip: ClipStream;
	ticks: number[];
	ssrc: number;
	index: number;
	loop: number;
	seq: number;
	tsBase: number;
}

interface Sender {
	socket: dgram.Socket;
	port: number;
	srtp: SrtpSender | null;
	origin: number;
	tracks: Track[];
}

const random32 = () => Math.floor(Math.random() * 0x1_0000_0000) >>> 0;

function track(clip: ClipStream, ssrc: number, phaseMs: number): Track {
	const ts0 = clip.packets[0]!.readUInt32BE(4);
	const ticks = clip.packets.map((p) => (p.readUInt32BE(4) - ts0) >>> 0);
	const index = Math.max(0, clip.dueMs.findIndex((d) => d >= phaseMs));
	return { clip, ticks, ssrc, index, loop: 0, seq: Math.floor(Math.random() * 30_000), tsBase: random32() };
}

const loopMs = (t: Track) => (t.clip.loopTicks * 1000) / t.clip.clockRate;

function rtpOf(t: Track): { packet: Buffer; roc: number } {
	const packet = Buffer.from(t.clip.packets[t.index]!);
	packet.writeUInt16BE(t.seq & 0xffff, 2);
	packet.writeUInt32BE((t.tsBase + t.loop * t.clip.loopTicks + t.ticks[t.index]!) >>> 0, 4);
	packet.writeUInt32BE(t.ssrc, 8);
	return { packet, roc: Math.floor(t.seq / 0x10000) };
}

async function open(count: number, onMessage: (m: Buffer) => void): Promise<dgram.Socket[]> {
	const sockets: dgram.Socket[] = [];
	for (let i = 0; i < count; i++) {
		const s = dgram.createSocket('udp4');
		s.on('message', onMessage);
		await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
		try {
			s.setRecvBufferSize(1 << 20);
		} catch {
			// The kernel's cap stays; losses would then show in the counters.
		}
		sockets.push(s);
	}
	return sockets;
}

const fresh = (): Counters => ({ packets: 0, bytes: 0, expected: 0, rtcp: 0, other: 0, maxLateMs: 0, stalledMs: 0 });

async function sendRole(): Promise<void> {
	const clip = await loadClip();
	const counters = fresh();
	const sockets: dgram.Socket[] = [];
	const senders: Sender[] = [];
	const now = () => performance.now();
	const tick = () => {
		const at = now();
		for (const s of senders) {
			for (const t of s.tracks) {
				for (;;) {
					const due = s.origin + t.loop * loopMs(t) + t.clip.dueMs[t.index]!;
					if (due > at) break;
					counters.maxLateMs = Math.max(counters.maxLateMs, at - due);
					if (at - due > MAX_LATE_MS) {
						counters.stalledMs += at - due;
						s.origin += at - due;
					}
					const { packet, roc } = rtpOf(t);
					const wire = s.srtp ? s.srtp.protect(packet, roc) : packet;
					s.socket.send(wire, s.port, '127.0.0.1');
					counters.packets++;
					counters.bytes += wire.length;
					t.seq++;
					if (++t.index === t.clip.packets.length) {
						t.index = 0;
						t.loop++;
					}
				}
			}
		}
	};
	const timer = setInterval(tick, 4);
	handle(async (req) => {
		if (req.type === 'open') {
			const opened = await open(req.count, () => counters.rtcp++);
			const first = sockets.length;
			sockets.push(...opened);
			return opened.map((s, i) => ({ socket: first + i, port: s.address().port }));
		}
		if (req.type === 'start') {
			for (const b of req.bots) {
				const tracks = [track(clip.video, b.videoSsrc, b.phaseMs)];
				if (b.audio) tracks.push(track(clip.audio, b.audioSsrc, b.phaseMs));
				const srtp = b.srtp ? new SrtpSender(b.srtp.suite, Buffer.from(b.srtp.keyBase64, 'base64')) : null;
				senders.push({ socket: sockets[b.socket]!, port: b.port, srtp, origin: now() - b.phaseMs, tracks });
			}
			return true;
		}
		if (req.type === 'counters') {
			const out = { ...counters };
			counters.maxLateMs = 0;
			return out;
		}
		clearInterval(timer);
		for (const s of sockets) s.close();
		return true;
	});
}

/** Per SSRC: the highest extended sequence number seen and the first one, for gaps. */
interface Seen {
	first: number;
	max: number;
}

function sinkRole(): void {
	const counters = fresh();
	const expected = new Set<number>();
	const seen = new Map<number, Seen>();
	const sockets: dgram.Socket[] = [];
	const onMessage = (m: Buffer) => {
		if (m.length < 12) return;
		// RTCP shares the port (rtcp-mux): its packet types 192-223 never start an RTP packet of ours.
		const type = m[1]!;
		if (type >= 192 && type <= 223) {
			counters.rtcp++;
			return;
		}
		const ssrc = m.readUInt32BE(8);
		if (!expected.has(ssrc)) {
			counters.other++;
			return;
		}
		counters.packets++;
		counters.bytes += m.length;
		const seq = m.readUInt16BE(2);
		const s = seen.get(ssrc);
		if (!s) {
			seen.set(ssrc, { first: seq, max: seq });
			return;
		}
		// Extend the 16-bit number to the one nearest the highest seen (wrap-around and reordering).
		let ext = (s.max & ~0xffff) | seq;
		if (ext < s.max - 0x8000) ext += 0x10000;
		else if (ext > s.max + 0x8000) ext -= 0x10000;
		if (ext > s.max) s.max = ext;
	};
	handle(async (req) => {
		if (req.type === 'open') {
			const opened = await open(req.count, onMessage);
			const first = sockets.length;
			sockets.push(...opened);
			return opened.map((s, i) => ({ socket: first + i, port: s.address().port }));
		}
		if (req.type === 'expect') {
			for (const ssrc of req.ssrcs) expected.add(ssrc);
			return true;
		}
		if (req.type === 'counters') {
			let due = 0;
			for (const s of seen.values()) due += s.max - s.first + 1;
			return { ...counters, expected: due };
		}
		for (const s of sockets) s.close();
		return true;
	});
}

/** Requests come with an id; the answer goes back with it. */
function handle(answer: (req: BotRequest) => Promise<unknown>): void {
	process.on('message', (msg: { id: number; req: BotRequest }) => {
		answer(msg.req).then(
			(result) => {
				process.send?.({ id: msg.id, result });
				if (msg.req.type === 'stop') process.disconnect();
			},
			(err: unknown) => process.send?.({ id: msg.id, error: String(err) })
		);
	});
}

// The bench stopped or died: nothing left to send to or count for.
process.on('disconnect', () => process.exit(0));
if (process.argv[2] === 'send') await sendRole();
else if (process.argv[2] === 'sink') sinkRole();
