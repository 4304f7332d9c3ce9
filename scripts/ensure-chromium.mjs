// Browser tests drive Debian's Chromium (downloading a browser build is not
// possible on air-gapped or locked-down machines). Installs it when missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.env.CONFIDANTE_SKIP_CHROMIUM === '1' || fs.existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
	console.error(`[chromium] ${CHROMIUM} is missing; browser tests need it. Install it with:\n  sudo apt-get install -y chromium\n(or set CHROMIUM_PATH, or CONFIDANTE_SKIP_CHROMIUM=1 to skip)`);
	process.exit(0);
}
console.error('[chromium] installing Debian chromium for the browser tests…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// Wait for another apt (a second install, unattended upgrades) instead of failing at once.
const waitForLock = ['-o', 'DPkg::Lock::Timeout=600'];
spawnSync('apt-get', [...waitForLock, 'update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
const r = spawnSync('apt-get', [...waitForLock, 'install', '-y', '-q', 'chromium', 'fonts-dejavu-core'], { stdio: ['ignore', 'ignore', 'inherit'], env });
if (r.status !== 0 || !fs.existsSync(CHROMIUM)) {
	console.error('[chromium] apt-get install chromium failed; browser tests will fail until it is installed.');
	process.exit(1);
}
console.error('[chromium] installed');
