// Small helpers shared by the media-worker scripts. Node built-ins only: this
// runs from npm's postinstall, before anything else is guaranteed to work.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PREFIX = '[media-worker]';

export function log(message) {
	process.stderr.write(`${PREFIX} ${message}\n`);
}

export function warn(message) {
	process.stderr.write(`${PREFIX} WARNING: ${message}\n`);
}

/** An error whose message is meant for the user as is (no stack trace). */
export class UserError extends Error {
	constructor(message, { hint } = {}) {
		super(message);
		this.name = 'UserError';
		this.hint = hint;
	}
}

export function envFlag(name) {
	const value = process.env[name];
	return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function formatDuration(ms) {
	const seconds = Math.round(ms / 1000);
	const minutes = Math.floor(seconds / 60);
	return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command synchronously, capturing output. Never throws for exit codes. */
export function run(command, args, options = {}) {
	const result = spawnSync(command, args, {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		maxBuffer: 64 * 1024 * 1024,
		...options,
	});
	return {
		ok: !result.error && result.status === 0,
		status: result.status,
		signal: result.signal,
		error: result.error,
		stdout: result.stdout ?? '',
		stderr: result.stderr ?? '',
	};
}

export function commandExists(command) {
	return run('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', command]).ok;
}

/**
 * mediasoup-worker exits with code 41 when started without the
 * MEDIASOUP_VERSION environment variable (i.e. not by mediasoup's Node
 * library). That is a cheap way to check that a binary loads and runs on this
 * host (right architecture, shared libraries present) without starting it.
 */
export function workerBinaryRuns(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
	} catch {
		return false;
	}
	const result = spawnSync(file, [], { env: {}, stdio: 'ignore', timeout: 15_000 });
	return !result.error && result.status === 41;
}

/** Why a worker binary does not run, for messages (missing shared libs etc.). */
export function describeBinaryFailure(file) {
	const result = spawnSync(file, [], { env: {}, encoding: 'utf8', timeout: 15_000 });
	if (result.error) return result.error.message;
	const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
	return `exit status ${result.status ?? result.signal}${output ? `: ${output}` : ''}`;
}

/** Copies src to dest atomically (temp file + rename); hard-links when possible. */
export function installFile(src, dest, { mode = 0o755, preferLink = true } = {}) {
	fs.mkdirSync(path.dirname(dest), { recursive: true });
	const tmp = `${dest}.tmp-${process.pid}`;
	fs.rmSync(tmp, { force: true });
	let linked = false;
	if (preferLink) {
		try {
			fs.linkSync(src, tmp);
			linked = true;
		} catch {
			linked = false;
		}
	}
	if (!linked) {
		fs.copyFileSync(src, tmp);
		fs.chmodSync(tmp, mode);
	}
	fs.renameSync(tmp, dest);
	return linked ? 'hard link' : 'copy';
}

/** Points dest at src with a symlink, replacing whatever is at dest. */
export function symlinkFile(src, dest) {
	fs.mkdirSync(path.dirname(dest), { recursive: true });
	const tmp = `${dest}.tmp-${process.pid}`;
	fs.rmSync(tmp, { force: true });
	fs.symlinkSync(src, tmp);
	fs.renameSync(tmp, dest);
}

/** Recursive directory copy with a filter on paths relative to src. */
export function copyTree(src, dest, filter = () => true, rel = '') {
	fs.mkdirSync(dest, { recursive: true });
	for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
		const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
		if (!filter(entryRel, entry)) continue;
		const from = path.join(src, entry.name);
		const to = path.join(dest, entry.name);
		if (entry.isDirectory()) {
			copyTree(from, to, filter, entryRel);
		} else if (entry.isSymbolicLink()) {
			fs.symlinkSync(fs.readlinkSync(from), to);
		} else if (entry.isFile()) {
			fs.copyFileSync(from, to);
			fs.chmodSync(to, fs.statSync(from).mode & 0o777);
		}
	}
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/**
 * Exclusive lock through a file created with O_EXCL. A lock left by a process
 * that is gone (same host) or older than staleMs is taken over. Waits up to
 * waitMs for a live holder, logging now and then. Returns a release function.
 */
export async function acquireLock(file, { waitMs = 60 * 60_000, staleMs = 3 * 60 * 60_000, what = 'lock' } = {}) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const me = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
	const started = Date.now();
	let lastNotice = 0;
	for (;;) {
		try {
			const fd = fs.openSync(file, 'wx');
			fs.writeSync(fd, JSON.stringify(me));
			fs.closeSync(fd);
			let released = false;
			const release = () => {
				if (released) return;
				released = true;
				try {
					const holder = JSON.parse(fs.readFileSync(file, 'utf8'));
					if (holder.pid === me.pid && holder.host === me.host) fs.rmSync(file, { force: true });
				} catch {
					// Already gone or unreadable: nothing to release.
				}
			};
			process.once('exit', release);
			return release;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
		}

		let holder = null;
		let ageMs = 0;
		try {
			holder = JSON.parse(fs.readFileSync(file, 'utf8'));
			ageMs = Date.now() - fs.statSync(file).mtimeMs;
		} catch {
			// Being written right now or just removed: look again shortly.
		}
		const deadHolder = holder && holder.host === os.hostname() && !pidAlive(holder.pid);
		if (deadHolder || ageMs > staleMs) {
			warn(`removing stale ${what} ${file} (held by pid ${holder?.pid ?? '?'})`);
			fs.rmSync(file, { force: true });
			continue;
		}
		if (Date.now() - started > waitMs) {
			throw new UserError(`timed out waiting for ${what} ${file} held by pid ${holder?.pid ?? '?'}`, {
				hint: 'If no other install is running, delete that file and try again.',
			});
		}
		if (Date.now() - lastNotice > 30_000) {
			lastNotice = Date.now();
			log(`another process (pid ${holder?.pid ?? '?'}) holds the ${what}; waiting for it to finish...`);
		}
		await sleep(2000);
	}
}
