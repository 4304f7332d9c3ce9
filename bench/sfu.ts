// How many 4-person rooms fit on ONE mediasoup worker under 80 % of one
// core. Run by hand: `npm run bench:sfu` (`node bench/sfu.ts --help`).
//
// One worker as production starts it (server/media/workers.ts), a router per
// room with production's codecs (server/media/codecs.ts). Each room has 4
// bots; each bot publishes VP8 640x360 30 fps (~650 kbps) and opus over an
// SRTP PlainTransport and receives the other 3 bots' tracks over a second
// one, like a browser's send and receive transports. The bots are other
// processes (bench/sfu-bots.ts) replaying RTP that ffmpeg encoded and
// packetised once (bench/sfu-clip.ts), so the CPU measured from
// /proc/<pid>/stat is the worker's alone. Rooms are added step by step;
// each step reports the median of several windows.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import { mediaCodecs } from '../server/media/codecs.ts';
import { WorkerPool, type MediaWorker } from '../server/media/workers.ts';
import { limits } from '../server/config/limits.ts';
import { createLogger } from '../server/log/index.ts';
import { writeBenchmarkSection } from './report.ts';
import { AUDIO_PT, CLIP, VIDEO_PT, loadClip, type Clip, type ClipStream } from './sfu-clip.ts';
import { SRTP_KEYS, type BotRequest, type Counters, type SendBot, type SrtpSuite } from './sfu-bots.ts';

const HEADING = '## SFU rooms per worker (`npm run bench:sfu`)';
const PEOPLE = 4;
/** Above this much packet loss to the receivers a step does not count as fitting. */
const MAX_LOSS_PCT = 1;
/** Below this share of the clip's packet rate the bots did not keep up (starved of CPU) and a step does not count. */
const MIN_KEPT_UP_PCT = 90;

const { values: opt } = parseArgs({
	options: {
		step: { type: 'string', default: '2' },
		'max-rooms': { type: 'string', default: '40' },
		windows: { type: 'string', default: '5' },
		window: { type: 'string', default: '3' },
		settle: { type: 'string', default: '4' },
		'goal-cpu': { type: 'string', default: '80' },
		nice: { type: 'string', default: '0' },
		'no-audio': { type: 'boolean', default: false },
		srtp: { type: 'string', default: 'gcm' },
		'no-write': { type: 'boolean', default: false },
		help: { type: 'boolean', default: false }
	}
});
if (opt.help) {
	console.log(`node bench/sfu.ts [--step 2] [--max-rooms 40] [--windows 5] [--window 3 (s)] [--settle 4 (s)] [--goal-cpu 80] [--nice 0]
  [--no-audio] [--srtp gcm|cm|off] [--no-write (leave docs/benchmarks.md alone)]
  --nice=N: scheduling priority of the worker and the bots (root may give e.g. --nice=-10 on a busy machine, so that bots starved of CPU stall less; write it with =)
  --srtp: AEAD_AES_256_GCM (default: what mediasoup picks first in DTLS and Chrome offers), AES_CM_128_HMAC_SHA1_80, or plain RTP`);
	process.exit(0);
}
const STEP = Number(opt.step);
const MAX_ROOMS = Number(opt['max-rooms']);
const WINDOWS = Number(opt.windows);
const WINDOW_MS = Number(opt.window) * 1000;
const SETTLE_MS = Number(opt.settle) * 1000;
const GOAL_CPU = Number(opt['goal-cpu']);
const NICE = Number(opt.nice);
const AUDIO = !opt['no-audio'];
const SUITES: Record<string, SrtpSuite | null> = { gcm: 'AEAD_AES_256_GCM', cm: 'AES_CM_128_HMAC_SHA1_80', off: null };
if (!(opt.srtp in SUITES)) throw new Error(`--srtp must be gcm, cm or off, not ${opt.srtp}`);
const SRTP = SUITES[opt.srtp] ?? null;

const say = (message: string) => console.error(`[bench:sfu] ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const random32 = () => randomBytes(4).readUInt32BE(0);

/** A bot process (send or sink) answering requests over IPC. */
class Bots {
	readonly child: ChildProcess;
	private next = 0;
	private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

	constructor(role: 'send' | 'sink') {
		this.child = fork(new URL('./sfu-bots.ts', import.meta.url), [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		this.child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
			const w = this.waiting.get(m.id);
			this.waiting.delete(m.id);
			if (m.error !== undefined) w?.reject(new Error(`${role} bots: ${m.error}`));
			else w?.resolve(m.result);
		});
		this.child.on('exit', (code) => {
			for (const w of this.waiting.values()) w.reject(new Error(`${role} bots exited (${code})`));
		});
	}

	ask<T>(req: BotRequest): Promise<T> {
		const id = this.next++;
		return new Promise<T>((resolve, reject) => {
			this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
			this.child.send({ id, req });
		});
	}

	get pid(): number {
		return this.child.pid ?? 0;
	}
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** What a receiving bot can take: the router's codecs without the congestion-control feedback the sink does not send. */
function receiverCaps(router: types.Router): types.RtpCapabilities {
	const caps = router.rtpCapabilities;
	return {
		codecs: caps.codecs?.map((c) => ({ ...c, rtcpFeedback: c.rtcpFeedback?.filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb') })),
		headerExtensions: caps.headerExtensions?.filter((h) => !h.uri.includes('transport-wide-cc') && !h.uri.includes('abs-send-time'))
	};
}

function sendParameters(kind: 'audio' | 'video', ssrc: number, cname: string): types.RtpParameters {
	const codec: types.RtpCodecParameters =
		kind === 'video'
			? { mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }
			: { mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } };
	return { codecs: [codec], encodings: [{ ssrc }], rtcp: { cname, reducedSize: true } };
}

const plainOptions: types.PlainTransportOptions = {
	listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
	rtcpMux: true,
	comedia: false,
	enableSrtp: SRTP !== null,
	...(SRTP ? { srtpCryptoSuite: SRTP } : {})
};

/** A fresh SRTP master key and salt for one direction, or null for plain RTP. */
function newKey(): { suite: SrtpSuite; keyBase64: string } | null {
	if (!SRTP) return null;
	const { key, salt } = SRTP_KEYS[SRTP];
	return { suite: SRTP, keyBase64: randomBytes(key + salt).toString('base64') };
}

const srtpOf = (key: { suite: SrtpSuite; keyBase64: string } | null) => (key ? { srtpParameters: { cryptoSuite: key.suite, keyBase64: key.keyBase64 } } : {});

interface Room {
	router: types.Router;
	producers: types.Producer[];
}

/** One room: 4 bots, each with a send transport (VP8 + opus producers) and a receive transport consuming the 3 others. */
async function addRoom(worker: MediaWorker, sender: Bots, sink: Bots, index: number): Promise<Room> {
	const router = await worker.createRouter({ mediaCodecs });
	const sendSockets = await sender.ask<{ socket: number; port: number }[]>({ type: 'open', count: PEOPLE });
	const sinkSockets = await sink.ask<{ socket: number; port: number }[]>({ type: 'open', count: PEOPLE });
	const starts: SendBot[] = [];
	const people: { producers: types.Producer[]; recv: types.PlainTransport }[] = [];
	for (let i = 0; i < PEOPLE; i++) {
		const key = newKey();
		const send = await router.createPlainTransport(plainOptions);
		await send.connect({ ip: '127.0.0.1', port: sendSockets[i]!.port, ...srtpOf(key) });
		await send.setMaxIncomingBitrate(limits.media.maxIncomingBitrate);
		const cname = `bot-${index}-${i}`;
		const videoSsrc = random32();
		const audioSsrc = random32();
		const producers = [await send.produce({ kind: 'video', rtpParameters: sendParameters('video', videoSsrc, cname) })];
		if (AUDIO) producers.push(await send.produce({ kind: 'audio', rtpParameters: sendParameters('audio', audioSsrc, cname) }));
		const recv = await router.createPlainTransport(plainOptions);
		await recv.connect({ ip: '127.0.0.1', port: sinkSockets[i]!.port, ...srtpOf(newKey()) });
		people.push({ producers, recv });
		starts.push({ socket: sendSockets[i]!.socket, port: send.tuple.localPort, srtp: key, videoSsrc, audioSsrc, phaseMs: Math.random() * CLIP.seconds * 1000, audio: AUDIO });
	}
	const caps = receiverCaps(router);
	const ssrcs: number[] = [];
	for (const me of people) {
		for (const other of people) {
			if (other === me) continue;
			for (const p of other.producers) {
				// As production: created paused, resumed once the receiver is ready (server/media/room.ts).
				const consumer = await me.recv.consume({ producerId: p.id, rtpCapabilities: caps, paused: true, enableRtx: true });
				await consumer.resume();
				ssrcs.push(consumer.rtpParameters.encodings![0]!.ssrc!);
			}
		}
	}
	await sink.ask({ type: 'expect', ssrcs });
	await sender.ask({ type: 'start', bots: starts });
	return { router, producers: people.flatMap((p) => p.producers) };
}

interface Window {
	cpu: number;
	senderCpu: number;
	sinkCpu: number;
	outPackets: number;
	outMbps: number;
	inPackets: number;
	expected: number;
	received: number;
	maxLateMs: number;
	stalledMs: number;
}

async function measureWindow(pids: { worker: number; sender: number; sink: number }, sender: Bots, sink: Bots): Promise<Window> {
	const read = async () => ({
		at: performance.now(),
		worker: cpuSeconds(pids.worker),
		sender: cpuSeconds(pids.sender),
		sink: cpuSeconds(pids.sink),
		sent: await sender.ask<Counters>({ type: 'counters' }),
		got: await sink.ask<Counters>({ type: 'counters' })
	});
	const a = await read();
	await sleep(WINDOW_MS);
	const b = await read();
	const s = (b.at - a.at) / 1000;
	return {
		cpu: ((b.worker - a.worker) / s) * 100,
		senderCpu: ((b.sender - a.sender) / s) * 100,
		sinkCpu: ((b.sink - a.sink) / s) * 100,
		outPackets: (b.got.packets - a.got.packets) / s,
		outMbps: ((b.got.bytes - a.got.bytes) * 8) / s / 1e6,
		inPackets: (b.sent.packets - a.sent.packets) / s,
		expected: b.got.expected - a.got.expected,
		received: b.got.packets - a.got.packets,
		maxLateMs: b.sent.maxLateMs,
		stalledMs: b.sent.stalledMs - a.sent.stalledMs
	};
}

interface Step {
	rooms: number;
	cpu: number;
	cpuWindows: number[];
	perRoom: number;
	outPackets: number;
	outMbps: number;
	inPackets: number;
	lossPct: number;
	ingressLost: number;
	cpuPerMbit: number;
	usPerPacket: number;
	senderCpu: number;
	sinkCpu: number;
	maxLateMs: number;
	/** Packets the bots sent, as a share of what the clip's rate asks for. */
	keptUpPct: number;
	load: number;
}

/** Packets the worker counted as lost on the way in (all producers, since the start). */
async function ingressLost(rooms: Room[]): Promise<{ lost: number; received: number }> {
	let lost = 0;
	let received = 0;
	for (const r of rooms) {
		for (const p of r.producers) {
			for (const s of await p.getStats()) {
				lost += Math.max(0, s.packetsLost);
				received += s.packetCount;
			}
		}
	}
	return { lost, received };
}

function summarise(rooms: number, windows: Window[], lostIn: number, nominalIn: number): Step {
	const cpu = median(windows.map((w) => w.cpu));
	const outMbps = median(windows.map((w) => w.outMbps));
	const outPackets = median(windows.map((w) => w.outPackets));
	const inPackets = median(windows.map((w) => w.inPackets));
	const expected = windows.reduce((n, w) => n + w.expected, 0);
	const received = windows.reduce((n, w) => n + w.received, 0);
	return {
		rooms,
		cpu,
		cpuWindows: windows.map((w) => w.cpu),
		perRoom: cpu / rooms,
		outPackets,
		outMbps,
		inPackets,
		lossPct: expected > 0 ? Math.max(0, (1 - received / expected) * 100) : 100,
		ingressLost: lostIn,
		cpuPerMbit: outMbps > 0 ? cpu / outMbps : NaN,
		// Worker CPU per packet through it (one in, three out per published packet), in microseconds.
		usPerPacket: ((cpu / 100) * 1e6) / (inPackets + outPackets),
		senderCpu: median(windows.map((w) => w.senderCpu)),
		sinkCpu: median(windows.map((w) => w.sinkCpu)),
		maxLateMs: Math.max(...windows.map((w) => w.maxLateMs)),
		keptUpPct: (inPackets / (rooms * nominalIn)) * 100,
		load: loadavg()[0]!
	};
}

const packetRate = (s: ClipStream) => s.packets.length / (s.loopTicks / s.clockRate);

interface Projection {
	usPerPacket: number;
	perRoom: number;
	rooms: number;
}

/**
 * Rooms at the goal by proportion: the worker's CPU per packet times a full
 * room's packets (in and out), from the step without loss that put the most
 * packets through the worker (its fixed costs spread the thinnest). It holds
 * even when the bots fell short of the clip's rate: the worker was paid per
 * packet it actually handled.
 */
function projection(steps: Step[], nominalIn: number): Projection | null {
	const busiest = (a: Step, b: Step) => b.inPackets + b.outPackets - (a.inPackets + a.outPackets);
	const last = steps.filter((s) => s.lossPct <= MAX_LOSS_PCT).sort(busiest)[0];
	if (!last) return null;
	const perRoom = (last.usPerPacket * nominalIn * PEOPLE) / 1e4;
	return { usPerPacket: last.usPerPacket, perRoom, rooms: Math.floor(GOAL_CPU / perRoom) };
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

function line(s: Step): string {
	return `rooms ${String(s.rooms).padStart(3)}  worker CPU ${f1(s.cpu).padStart(5)} % (windows ${s.cpuWindows.map(f1).join(' ')})  per room ${f2(s.perRoom)} %  out ${Math.round(s.outPackets)} pkt/s ${f1(s.outMbps)} Mbit/s  in ${Math.round(s.inPackets)} pkt/s  loss ${f2(s.lossPct)} % (in ${s.ingressLost})  ${f2(s.cpuPerMbit)} %/Mbit  ${f1(s.usPerPacket)} µs/pkt  bots: send ${f1(s.senderCpu)} % sink ${f1(s.sinkCpu)} % late ${Math.round(s.maxLateMs)} ms, ${f1(s.keptUpPct)} % of the clip's rate  load ${f2(s.load)}`;
}

const valid = (s: Step) => s.lossPct <= MAX_LOSS_PCT && s.keptUpPct >= MIN_KEPT_UP_PCT;

/** The most rooms of a step that stayed under the goal with the receivers getting their packets. */
function fitted(steps: Step[]): number {
	let n = 0;
	for (const s of steps) if (valid(s) && s.cpu <= GOAL_CPU) n = Math.max(n, s.rooms);
	return n;
}

interface Report {
	steps: Step[];
	clip: Clip;
	result: number;
	measured: number;
	loadBefore: number[];
	loadAfter: number[];
	reachedGoal: boolean;
	projected: Projection | null;
}

function section(r: Report): string {
	const rows = r.steps.map(
		(s) =>
			`| ${s.rooms} | ${f1(s.cpu)} | ${f2(s.perRoom)} | ${Math.round(s.outPackets)} | ${f1(s.outMbps)} | ${f2(s.lossPct)} | ${f2(s.cpuPerMbit)} | ${f1(s.usPerPacket)} | ${f1(s.senderCpu)} / ${f1(s.sinkCpu)} | ${f1(s.keptUpPct)} | ${valid(s) ? 'yes' : 'no'} | ${f2(s.load)} |`
	);
	const last = r.steps.at(-1);
	const bound = r.reachedGoal ? '' : `; ${GOAL_CPU} % was not reached by the last step (${last?.rooms ?? 0} rooms), so this is a lower bound`;
	const which = r.result === r.measured ? 'The RESULT line is the measured figure.' : `The RESULT line (${r.result}) is the projection: the bots could not drive the worker to ${GOAL_CPU} % on this machine.`;
	const projected = r.projected
		? `By proportion, from the worker's CPU per packet at the busiest step without loss (${f1(r.projected.usPerPacket)} µs) times a full room's packets, a room costs ${f2(r.projected.perRoom)} % of a core: about **${r.projected.rooms} rooms** at ${GOAL_CPU} %.`
		: 'Every step lost packets: no projection.';
	return `${HEADING}

\`npm run bench:sfu\` (\`node bench/sfu.ts --step ${STEP} --max-rooms ${MAX_ROOMS} --windows ${WINDOWS} --window ${WINDOW_MS / 1000} --srtp ${opt.srtp} --nice ${NICE}\`), ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${r.loadBefore.map(f2).join(' ')} before and ${r.loadAfter.map(f2).join(' ')} after (the machine was shared with other work).

One mediasoup worker started as production starts it (\`server/media/workers.ts\`), a router per room with production's codecs. Each room: ${PEOPLE} bots, each publishing VP8 ${CLIP.width}x${CLIP.height} ${CLIP.fps} fps (${Math.round(r.clip.videoKbps)} kbps as sent, a keyframe every ${CLIP.keyframeEvery / CLIP.fps} s)${AUDIO ? ` and opus (${Math.round(r.clip.audioKbps)} kbps)` : ''} and consuming the other ${PEOPLE - 1}, over PlainTransports${SRTP ? ` with SRTP (${SRTP})` : ' without SRTP'}. The bots replay RTP that ffmpeg encoded and packetised once, from two processes of their own (sender, sink). Worker CPU from \`/proc/<pid>/stat\`, median of ${WINDOWS} windows of ${WINDOW_MS / 1000} s per step, ${SETTLE_MS / 1000} s after the step's rooms started. A step is valid when the receivers lost at most ${MAX_LOSS_PCT} % and the bots sent at least ${MIN_KEPT_UP_PCT} % of the clip's packet rate.

| rooms | worker CPU % | per room % | forwarded pkt/s | forwarded Mbit/s | loss % | CPU % per Mbit/s | µs per packet | bots' CPU % (send / sink) | bots kept up % | valid | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Measured: **${r.measured} rooms** fit under ${GOAL_CPU} % of one core in a valid step (goal: at least 20)${bound}. ${projected} ${which} "CPU % per Mbit/s" (worker CPU over what reached the receivers) and "µs per packet" (worker CPU over packets in plus out) are the figures to compare between runs on a noisy machine.

Not modelled: ICE and DTLS (a WebRtcTransport's SRTP keys come from DTLS; here they are given), the camera's two simulcast layers (each bot sends one 640x360 layer and every receiver gets it, more than a grid of small tiles needs), and the receivers' feedback (transport-wide congestion control, REMB, NACKs: the sink only counts).
`;
}

async function main(): Promise<void> {
	const loadBefore = loadavg();
	const clip = await loadClip();
	say(`clip: VP8 ${Math.round(clip.videoKbps)} kbps (${clip.video.packets.length} packets), opus ${Math.round(clip.audioKbps)} kbps; load average ${loadBefore.map(f2).join(' ')}`);
	const pool = new WorkerPool({ size: 1 }, createLogger('warn'));
	await pool.start();
	const worker = await pool.leastLoaded();
	if (!worker) throw new Error('the mediasoup worker did not start: run `npm run media-worker` (see scripts/media-worker/README.md)');
	const sender = new Bots('send');
	const sink = new Bots('sink');
	const pids = { worker: worker.pid, sender: sender.pid, sink: sink.pid };
	if (NICE !== 0) for (const pid of Object.values(pids)) setPriority(pid, NICE);
	const nominalIn = PEOPLE * (packetRate(clip.video) + (AUDIO ? packetRate(clip.audio) : 0));
	const rooms: Room[] = [];
	const steps: Step[] = [];
	let lostBefore = 0;
	let reachedGoal = false;
	try {
		while (rooms.length < MAX_ROOMS) {
			const target = Math.min(MAX_ROOMS, rooms.length + STEP);
			while (rooms.length < target) rooms.push(await addRoom(worker, sender, sink, rooms.length));
			await sleep(SETTLE_MS);
			const windows: Window[] = [];
			for (let i = 0; i < WINDOWS; i++) windows.push(await measureWindow(pids, sender, sink));
			const ingress = await ingressLost(rooms);
			if (ingress.received === 0) throw new Error('the worker received no RTP from the bots (SRTP or addressing is wrong)');
			const step = summarise(rooms.length, windows, ingress.lost - lostBefore, nominalIn);
			lostBefore = ingress.lost;
			steps.push(step);
			console.log(line(step));
			if (step.cpu > GOAL_CPU) {
				reachedGoal = true;
				break;
			}
			if (step.lossPct > 5 * MAX_LOSS_PCT || step.keptUpPct < 50) {
				say(`loss ${f2(step.lossPct)} %, bots at ${f1(step.keptUpPct)} % of the clip's rate: stopping (the machine is too busy for the bots)`);
				break;
			}
		}
	} finally {
		await Promise.allSettled([sender.ask({ type: 'stop' }), sink.ask({ type: 'stop' })]);
		await pool.close();
	}
	const projected = projection(steps, nominalIn);
	const measured = fitted(steps);
	// Measured when a valid step reached the goal; otherwise (the bots could not drive the worker that far) the projection.
	const result = reachedGoal && measured > 0 ? measured : Math.max(measured, projected?.rooms ?? 0);
	say(result === measured ? `measured: ${measured} rooms under ${GOAL_CPU} %` : `projected: ${result} rooms (measured up to ${measured} in valid steps without reaching ${GOAL_CPU} %)`);
	const loadAfter = loadavg();
	say(`load average after ${loadAfter.map(f2).join(' ')}; ${projected ? `by the worker's CPU per packet at the busiest step without loss (${f1(projected.usPerPacket)} µs), a room costs ${f2(projected.perRoom)} %: about ${projected.rooms} rooms at ${GOAL_CPU} %` : 'every step lost packets: no projection'}`);
	if (!opt['no-write']) await writeBenchmarkSection(HEADING, section({ steps, clip, result, measured, loadBefore, loadAfter, reachedGoal, projected }));
	console.log(`RESULT sfu_rooms_per_worker=${result}`);
}

await main();
