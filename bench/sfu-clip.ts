// The media the bench:sfu bots publish: a 20 s clip encoded ONCE by ffmpeg
// (VP8 640x360 30 fps at ~650 kbps, opus 32 kbps, keyframe every 2 s) and
// packetised by ffmpeg's own RTP muxer, captured here packet by packet and
// cached. The bots then replay real VP8/opus RTP without encoding anything:
// 160 live encoders would not fit on a 2-core machine next to the worker.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CLIP = { width: 640, height: 360, fps: 30, videoKbps: 650, audioKbps: 32, seconds: 20, keyframeEvery: 60 };
const CLIP_KEY = `v1-${CLIP.width}x${CLIP.height}-${CLIP.fps}-${CLIP.videoKbps}k-${CLIP.audioKbps}k-${CLIP.seconds}s-g${CLIP.keyframeEvery}`;
export const VIDEO_PT = 96;
export const AUDIO_PT = 100;

/** One stream of the clip: its RTP packets and when each is due, in ms from the clip's start. */
export interface ClipStream {
	packets: Buffer[];
	dueMs: number[];
	/** RTP timestamp ticks of one whole loop, so a replay can continue the clock across loops. */
	loopTicks: number;
	clockRate: number;
}

export interface Clip {
	video: ClipStream;
	audio: ClipStream;
	/** What the clip actually carries, from its packets. */
	videoKbps: number;
	audioKbps: number;
}

const say = (message: string) => console.error(`[bench:sfu] ${message}`);

/** Debian's ffmpeg, installed when missing (as root) or the command to do so. */
export function ensureFfmpeg(): void {
	if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0) return;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot) {
		say('ffmpeg is missing: it encodes the VP8/opus clip the bots publish. Install it with:\n  sudo apt-get install -y --no-install-recommends ffmpeg');
		process.exit(1);
	}
	say("ffmpeg is missing: installing Debian's ffmpeg (apt-get install ffmpeg), once per machine, to encode the clip the bots publish…");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const lock = ['-o', 'DPkg::Lock::Timeout=600'];
	spawnSync('apt-get', [...lock, 'update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
	const r = spawnSync('apt-get', [...lock, 'install', '-y', '-q', '--no-install-recommends', 'ffmpeg'], { stdio: ['ignore', 'ignore', 'inherit'], env });
	if (r.status !== 0) {
		say('apt-get install ffmpeg failed; bench:sfu needs it.');
		process.exit(1);
	}
}

function cacheDir(): string {
	const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
	return path.join(base, 'confidante', 'bench-sfu', CLIP_KEY);
}

function run(args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
	});
}

/** Noise keeps the picture hard to compress, so the encoder really spends its bitrate (like a webcam's sensor noise). */
function encode(file: string): Promise<void> {
	const kbps = `${CLIP.videoKbps}k`;
	return run([
		'-y',
		'-f', 'lavfi', '-i', `testsrc2=size=${CLIP.width}x${CLIP.height}:rate=${CLIP.fps},noise=alls=10:allf=t`,
		'-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.05:sample_rate=48000',
		'-t', String(CLIP.seconds),
		'-map', '0:v', '-c:v', 'libvpx', '-b:v', kbps, '-minrate', kbps, '-maxrate', kbps, '-bufsize', kbps,
		'-g', String(CLIP.keyframeEvery), '-deadline', 'realtime', '-cpu-used', '8',
		'-map', '1:a', '-c:a', 'libopus', '-b:a', `${CLIP.audioKbps}k`, '-ac', '1', '-frame_duration', '20',
		file
	]);
}

async function listen(): Promise<{ socket: dgram.Socket; packets: Buffer[] }> {
	const socket = dgram.createSocket('udp4');
	const packets: Buffer[] = [];
	socket.on('message', (m) => packets.push(m));
	await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
	return { socket, packets };
}

/** ffmpeg's RTP muxer packetises the clip (RFC 7741 VP8, RFC 7587 opus) at 4x real time to loopback sockets. */
async function capture(file: string): Promise<{ video: Buffer[]; audio: Buffer[] }> {
	const v = await listen();
	const a = await listen();
	try {
		const to = (s: dgram.Socket) => `rtp://127.0.0.1:${s.address().port}`;
		await run([
			'-readrate', '4', '-i', file,
			'-map', '0:v', '-c', 'copy', '-f', 'rtp', '-payload_type', String(VIDEO_PT), '-pkt_size', '1200', to(v.socket),
			'-map', '0:a', '-c', 'copy', '-f', 'rtp', '-payload_type', String(AUDIO_PT), to(a.socket)
		]);
		await new Promise((r) => setTimeout(r, 300));
	} finally {
		v.socket.close();
		a.socket.close();
	}
	for (const [name, packets] of [['video', v.packets], ['audio', a.packets]] as const) {
		const gaps = packets.filter((p, i) => i > 0 && ((p.readUInt16BE(2) - packets[i - 1]!.readUInt16BE(2)) & 0xffff) !== 1).length;
		if (packets.length === 0 || gaps > 0) throw new Error(`capturing the clip's ${name} RTP lost packets (${packets.length} captured, ${gaps} gaps): run again on a quieter machine`);
	}
	return { video: v.packets, audio: a.packets };
}

function pack(packets: Buffer[]): Buffer {
	const parts: Buffer[] = [];
	for (const p of packets) parts.push(Buffer.from([p.length >> 8, p.length & 0xff]), p);
	return Buffer.concat(parts);
}

function unpack(data: Buffer): Buffer[] {
	const out: Buffer[] = [];
	for (let at = 0; at < data.length; ) {
		const len = data.readUInt16BE(at);
		out.push(data.subarray(at + 2, at + 2 + len));
		at += 2 + len;
	}
	return out;
}

function stream(packets: Buffer[], clockRate: number, frameTicks: number): ClipStream {
	const ts0 = packets[0]!.readUInt32BE(4);
	const ticks = packets.map((p) => (p.readUInt32BE(4) - ts0) >>> 0);
	return { packets, dueMs: ticks.map((t) => (t * 1000) / clockRate), loopTicks: ticks[ticks.length - 1]! + frameTicks, clockRate };
}

const kbps = (s: ClipStream) => (s.packets.reduce((n, p) => n + p.length, 0) * 8) / (s.loopTicks / s.clockRate) / 1000;

/** The clip's RTP, made once per machine (about 10 s) and then read from the cache. */
export async function loadClip(): Promise<Clip> {
	const dir = cacheDir();
	const videoFile = path.join(dir, 'video.rtp');
	const audioFile = path.join(dir, 'audio.rtp');
	if (!existsSync(videoFile) || !existsSync(audioFile)) {
		ensureFfmpeg();
		say(`making the clip (${CLIP.width}x${CLIP.height} VP8 ${CLIP.videoKbps} kbps + opus, ${CLIP.seconds} s) in ${dir}…`);
		await mkdir(dir, { recursive: true });
		const webm = path.join(dir, 'clip.webm');
		await encode(webm);
		const rtp = await capture(webm);
		await writeFile(videoFile, pack(rtp.video));
		await writeFile(audioFile, pack(rtp.audio));
		await rm(webm);
	}
	const video = stream(unpack(await readFile(videoFile)), 90_000, 90_000 / CLIP.fps);
	const audio = stream(unpack(await readFile(audioFile)), 48_000, 960);
	return { video, audio, videoKbps: kbps(video), audioKbps: kbps(audio) };
}
