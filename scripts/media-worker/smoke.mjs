// Smoke test of the installed mediasoup-worker: starts a Worker, a Router
// with Opus and VP8, two WebRtcTransports on 127.0.0.1, checks the worker
// process is alive, then SIGKILLs it and waits for mediasoup's 'died' event.
// Usage: node scripts/media-worker/smoke.mjs   (exit 0 when all is well)
import * as mediasoup from 'mediasoup';

const fail = (message) => {
	console.error(`[media-worker smoke] FAIL: ${message}`);
	process.exit(1);
};
const say = (message) => console.log(`[media-worker smoke] ${message}`);

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
say(`node ${process.version}, mediasoup ${mediasoup.version}, worker pid ${worker.pid}`);
const router = await worker.createRouter({
	mediaCodecs: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	],
});
say(`router codecs: ${router.rtpCapabilities.codecs.map((c) => c.mimeType).join(', ')}`);
for (let i = 0; i < 2; i++) {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
	});
	const candidates = transport.iceCandidates.map((c) => `${c.protocol}:${c.address ?? c.ip}:${c.port}`);
	say(`WebRtcTransport ${i + 1}: ${transport.id} ${candidates.join(' ')}`);
}
try {
	process.kill(worker.pid, 0);
} catch {
	fail(`worker pid ${worker.pid} is not running`);
}
const usage = await worker.getResourceUsage();
say(`worker pid ${worker.pid} is alive (max RSS ${usage.ru_maxrss} KB)`);

const died = new Promise((resolve) => worker.once('died', resolve));
process.kill(worker.pid, 'SIGKILL');
const timer = setTimeout(() => fail("no 'died' event within 10 s of SIGKILL"), 10_000);
const error = await died;
clearTimeout(timer);
say(`'died' event fired after SIGKILL: ${error.message}`);
say('OK');
