// Runs after `npm install`: prepares what the app and its tests need from
// outside npm, so a new machine needs nothing but `npm install`.
//  1. SvelteKit's generated types (svelte-kit sync).
//  2. The mediasoup worker binary, built offline when it cannot be downloaded.
//  3. What the tests need from Debian (Chromium, HAProxy), only when missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

run(process.execPath, [path.join(root, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js'), 'sync']);

const worker = path.join(root, 'scripts', 'media-worker', 'ensure.mjs');
if (fs.existsSync(worker)) {
	const r = run(process.execPath, [worker]);
	if (r.status !== 0) process.exit(r.status ?? 1);
}

const r = run(process.execPath, [path.join(root, 'scripts', 'ensure-debian.mjs')]);
if (r.status !== 0) process.exit(r.status ?? 1);
