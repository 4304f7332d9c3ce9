/**
 * The encoded-transform worker of one call: encrypts every frame this tab
 * sends and decrypts every frame it receives (frame-crypto.ts). It is fed
 * by RTCRtpScriptTransform (`rtctransform` events) or, in browsers with the
 * older insertable streams, by the streams posted to it. Keys come from the
 * page (keys.ts); a frame whose key has not arrived yet waits for it a
 * moment (a rotation's key travels over the socket while frames travel
 * over RTP) and is dropped after that.
 */
import { e2eeKnobs } from '$shared/protocol/e2ee.ts';
import { decryptFrame, encryptFrame, frameKey, keyIdOf, type FrameKind } from './frame-crypto.ts';
import type { FromPage, TransformOptions, WorkerStats } from './messages.ts';

interface EncodedFrame {
	data: ArrayBuffer;
}
interface Transformer {
	readable: ReadableStream<EncodedFrame>;
	writable: WritableStream<EncodedFrame>;
	options: TransformOptions;
	sendKeyFrameRequest?: () => Promise<void>;
}
interface WorkerScope {
	onrtctransform: ((e: { transformer: Transformer }) => void) | null;
	onmessage: ((e: MessageEvent<FromPage>) => void) | null;
	postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

/** Encrypt what this tab sends: false only while someone in the call cannot decrypt. */
let encrypt = true;
let sendKey: { keyId: number; key: CryptoKey } | null = null;

interface Held {
	key: Promise<CryptoKey>;
	/** When a newer key of the same sender replaced it; dropped a moment after that. */
	replacedAt: number | null;
}
const keys = new Map<string, Map<number, Held>>();
const waiting = new Map<string, { resolve: (k: CryptoKey | null) => void; promise: Promise<CryptoKey | null>; until: number }>();
const stats: WorkerStats = { attached: { send: 0, receive: 0 }, sent: { encrypted: 0, plain: 0, withheld: 0 }, received: {} };

function received(from: string) {
	return (stats.received[from] ??= { decrypted: 0, dropped: 0, plain: 0, lastKeyId: null, keyFrameRequests: 0 });
}

function keyFor(from: string, keyId: number): Promise<CryptoKey | null> {
	const held = keys.get(from)?.get(keyId);
	if (held) return held.key;
	const slot = `${from}:${keyId}`;
	const w = waiting.get(slot);
	if (w) return Date.now() < w.until ? w.promise : Promise.resolve(null);
	let resolve!: (k: CryptoKey | null) => void;
	const promise = new Promise<CryptoKey | null>((r) => (resolve = r));
	waiting.set(slot, { resolve, promise, until: Date.now() + e2eeKnobs.keyWaitMs });
	setTimeout(() => resolve(null), e2eeKnobs.keyWaitMs);
	return promise;
}

function addReceiveKey(from: string, keyId: number, raw: ArrayBuffer): void {
	const mine = keys.get(from) ?? new Map<number, Held>();
	keys.set(from, mine);
	const now = Date.now();
	for (const [id, held] of mine) {
		held.replacedAt ??= now;
		// The previous key stays briefly for frames in flight; older ones go.
		if (now - held.replacedAt > e2eeKnobs.previousKeyMs) mine.delete(id);
	}
	const key = frameKey(raw);
	mine.set(keyId, { key, replacedAt: null });
	const slot = `${from}:${keyId}`;
	const w = waiting.get(slot);
	waiting.delete(slot);
	if (w) void key.then((k) => w.resolve(k));
	// Keys of one sender come in order over one socket: a key still awaited from before this one will never come.
	for (const [other, x] of waiting) {
		if (!other.startsWith(`${from}:`)) continue;
		waiting.delete(other);
		x.resolve(null);
	}
	setTimeout(() => {
		for (const [id, held] of mine) if (held.replacedAt !== null && Date.now() - held.replacedAt > e2eeKnobs.previousKeyMs) mine.delete(id);
	}, e2eeKnobs.previousKeyMs + 100);
}

function sendTransform(kind: FrameKind): TransformStream<EncodedFrame, EncodedFrame> {
	return new TransformStream({
		async transform(frame, controller) {
			if (!encrypt) {
				stats.sent.plain++;
				return controller.enqueue(frame);
			}
			// While encryption is on, nothing goes out in clear.
			if (!sendKey) return void stats.sent.withheld++;
			frame.data = (await encryptFrame(sendKey.key, sendKey.keyId, kind, new Uint8Array(frame.data))).buffer;
			stats.sent.encrypted++;
			controller.enqueue(frame);
		}
	});
}

/**
 * After dropped frames (no key yet, a key that never came) the decoder needs
 * a key frame; asking for one at once (RTCRtpScriptTransform can, through
 * the SFU) beats waiting for the decoder's own request, which takes a second
 * or more. At most one request per interval.
 */
function keyFrameAsker(kind: FrameKind, from: string, transformer: Transformer | null): { dropped(): void; opened(data: Uint8Array): void } {
	let missing = false;
	let askedAt = 0;
	const count = received(from);
	return {
		dropped: () => void (missing = true),
		opened(data) {
			if (!missing || kind !== 'video') return;
			if ((data[0]! & 0x01) === 0) return void (missing = false);
			if (!transformer?.sendKeyFrameRequest || Date.now() - askedAt < e2eeKnobs.keyFrameRequestEveryMs) return;
			askedAt = Date.now();
			count.keyFrameRequests++;
			transformer.sendKeyFrameRequest().catch(() => {
				// The receiver closed meanwhile, or no request possible now: the decoder asks by itself.
			});
		}
	};
}

function receiveTransform(kind: FrameKind, from: string, transformer: Transformer | null): TransformStream<EncodedFrame, EncodedFrame> {
	const count = received(from);
	const keyFrames = keyFrameAsker(kind, from, transformer);
	return new TransformStream({
		async transform(frame, controller) {
			const data = new Uint8Array(frame.data);
			const keyId = keyIdOf(data);
			if (keyId === null) {
				// In clear: fine while the call is not encrypted; refused while it is.
				count.plain++;
				if (!encrypt) controller.enqueue(frame);
				return;
			}
			const key = await keyFor(from, keyId);
			if (!key) {
				keyFrames.dropped();
				return void count.dropped++;
			}
			try {
				frame.data = (await decryptFrame(key, kind, data)).buffer;
			} catch {
				keyFrames.dropped();
				return void count.dropped++;
			}
			keyFrames.opened(data);
			count.decrypted++;
			count.lastKeyId = keyId;
			controller.enqueue(frame);
		}
	});
}

function attach(t: Transformer): void {
	const { role, kind, from } = t.options;
	stats.attached[role]++;
	// Only RTCRtpScriptTransform's transformer can ask for key frames; posted streams cannot.
	const transform = role === 'send' ? sendTransform(kind) : receiveTransform(kind, from ?? '', 'sendKeyFrameRequest' in t ? t : null);
	// Ends when the sender or receiver closes; an error is the page's to log.
	t.readable
		.pipeThrough(transform)
		.pipeTo(t.writable)
		.catch((err: unknown) => scope.postMessage({ type: 'failed', role, kind, message: String((err as Error)?.message ?? err) }));
}

scope.onrtctransform = (e) => attach(e.transformer);

scope.onmessage = async ({ data: m }) => {
	if (m.type === 'streams') attach({ readable: m.readable, writable: m.writable, options: m.options });
	else if (m.type === 'mode') encrypt = m.encrypt;
	else if (m.type === 'send-key') sendKey = { keyId: m.keyId, key: await frameKey(m.raw) };
	else if (m.type === 'receive-key') addReceiveKey(m.from, m.keyId, m.raw);
	else if (m.type === 'stats') scope.postMessage({ type: 'stats', id: m.id, stats, receiveKeys: Object.fromEntries([...keys].map(([from, held]) => [from, [...held.keys()]])) });
};
