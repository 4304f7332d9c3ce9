// What the tests need from Debian rather than npm, installed when missing:
//  - chromium: the browser tests drive Debian's Chromium (downloading a
//    browser build is not possible on air-gapped or locked-down machines);
//  - haproxy: the cluster tests (tests/cluster) run several server instances
//    behind a real load balancer, as a deployment does.
// As root it runs apt-get (once, for everything missing); otherwise it prints
// the command to run. A missing tool never fails `npm install` for a user who
// is not root: only the tests that need it fail, saying what to install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const TOOLS = [
	{ name: 'chromium', path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', packages: ['chromium', 'fonts-dejavu-core'], skip: 'CONFIDANTE_SKIP_CHROMIUM', pathVar: 'CHROMIUM_PATH', for: 'browser tests' },
	{ name: 'haproxy', path: process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy', packages: ['haproxy'], skip: 'CONFIDANTE_SKIP_HAPROXY', pathVar: 'HAPROXY_PATH', for: 'cluster tests (several instances behind a load balancer)' }
];

const missing = TOOLS.filter((t) => process.env[t.skip] !== '1' && !fs.existsSync(t.path));
if (missing.length === 0) process.exit(0);

const packages = missing.flatMap((t) => t.packages);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
	for (const t of missing) console.error(`[debian] ${t.path} is missing; the ${t.for} need it (or set ${t.pathVar}, or ${t.skip}=1 to skip).`);
	console.error(`[debian] Install with:\n  sudo apt-get install -y ${packages.join(' ')}`);
	process.exit(0);
}
console.error(`[debian] installing ${missing.map((t) => `${t.name} (${t.for})`).join(', ')}…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// Wait for another apt (a second install, unattended upgrades) instead of failing at once.
const waitForLock = ['-o', 'DPkg::Lock::Timeout=600'];
spawnSync('apt-get', [...waitForLock, 'update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
const r = spawnSync('apt-get', [...waitForLock, 'install', '-y', '-q', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
const stillMissing = missing.filter((t) => !fs.existsSync(t.path));
if (r.status !== 0 || stillMissing.length > 0) {
	console.error(`[debian] apt-get install ${packages.join(' ')} failed; ${stillMissing.map((t) => `the ${t.for}`).join(' and ') || 'some tests'} will fail until it is installed.`);
	process.exit(1);
}
console.error(`[debian] installed ${missing.map((t) => t.name).join(', ')}`);
