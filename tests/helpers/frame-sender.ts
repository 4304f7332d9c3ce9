/**
 * Sends raw frames to a pad from a child process, so the sending (masking a
 * megabyte per frame) never runs on the test's own event loop, which times
 * /healthz meanwhile. Run as:
 *   node tests/helpers/frame-sender.ts <ws-url> <cookie> <bytes> <frames> <rounds>
 * For each round it opens a connection, sends `frames` frames of `bytes`
 * bytes back to back, waits for the close and prints the close code.
 */
import { WebSocket } from 'ws';

const [url, cookie, bytes, frames, rounds] = process.argv.slice(2);
const payload = new Uint8Array(Number(bytes)).fill(1);
for (let round = 0; round < Number(rounds); round++) {
	const ws = new WebSocket(url!, { headers: { cookie: cookie! } });
	ws.on('error', () => {});
	const code = await new Promise<number>((resolve) => {
		ws.on('open', () => {
			for (let i = 0; i < Number(frames); i++) if (ws.readyState === ws.OPEN) ws.send(payload);
		});
		ws.on('close', (c) => resolve(c));
	});
	console.log(code);
}
