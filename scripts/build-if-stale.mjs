// Builds the web app when build/ is missing or older than its sources, so
// `npm start` on a fresh clone just works and a restart does not rebuild.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const marker = path.join(root, 'build', 'handler.js');

function newest(dir) {
	let latest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
	}
	return latest;
}

// server/services.ts is the one server file the web bundle includes (the slot holding WebServices).
const sources = ['web', 'shared', 'server/services.ts', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) => path.join(root, p));
const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
const changed = sources.some((p) => fs.existsSync(p) && (fs.statSync(p).isDirectory() ? newest(p) : fs.statSync(p).mtimeMs) > built);
if (changed || process.env.CONFIDANTE_FORCE_BUILD === '1') {
	console.error('[build] building the web app…');
	execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	console.error('[build] done');
}
