// Offline build of mediasoup-worker from the sources shipped in the mediasoup
// npm package, against Debian's system libraries instead of the subprojects
// that mediasoup's meson build would download.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	UserError,
	acquireLock,
	commandExists,
	copyTree,
	envFlag,
	formatDuration,
	log,
	run,
	symlinkFile,
	warn,
} from './util.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUBPROJECT_TEMPLATES = path.join(HERE, 'subprojects');

/** Debian packages providing the libraries and tools the build needs. */
export const APT_PACKAGES = [
	'libuv1-dev',
	'libssl-dev',
	'libsrtp2-dev',
	'libabsl-dev',
	'libflatbuffers-dev',
	'flatbuffers-compiler',
	'ninja-build',
	'pkg-config',
];

/** pkg-config modules the local subprojects ask for. */
const PKG_CONFIG_MODULES = [
	'libuv',
	'libssl',
	'libcrypto',
	'libsrtp2',
	'flatbuffers',
	'absl_base',
	'absl_strings',
	'absl_optional',
	'absl_memory',
];

const PIP_BASE_ARGS = [
	'-m',
	'pip',
	'install',
	'--disable-pip-version-check',
	'--no-input',
	'--no-user',
	'--upgrade',
	// Fail over quickly when one of the configured indexes is unreachable.
	'--retries',
	'1',
	'--timeout',
	'30',
];

function python() {
	return process.env.PYTHON || 'python3';
}

function dpkgInstalled(pkg) {
	const result = run('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', pkg]);
	return result.ok && result.stdout.startsWith('ii');
}

function aptCommand(packages) {
	return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function appendLog(logFile, title, result) {
	fs.appendFileSync(logFile, `\n===== ${title} (exit ${result.status})\n${result.stdout}${result.stderr}`);
}

/**
 * Makes sure the Debian packages (and a compiler and Python with pip) are
 * there. Installs them when running as root; otherwise explains what to run.
 */
export function ensureSystemPackages({ logFile }) {
	const haveDpkg = commandExists('dpkg-query');
	const missing = [];
	if (haveDpkg) {
		for (const pkg of APT_PACKAGES) if (!dpkgInstalled(pkg)) missing.push(pkg);
	}
	if (!commandExists('c++') && !commandExists('g++')) missing.push('g++');
	if (!commandExists(python())) {
		missing.push('python3', 'python3-pip');
	} else if (!run(python(), ['-m', 'pip', '--version']).ok) {
		missing.push('python3-pip');
	}

	if (missing.length > 0) {
		const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
		if (!haveDpkg || !commandExists('apt-get')) {
			throw new UserError(`missing build tools: ${missing.join(', ')}`, {
				hint:
					'This is not a Debian-based system. Install a C++ compiler, Python 3 with pip, ' +
					`and the development files for: ${PKG_CONFIG_MODULES.join(', ')} plus the flatc compiler, ` +
					'or set MEDIASOUP_WORKER_BIN to a mediasoup-worker binary built elsewhere.',
			});
		}
		if (!isRoot) {
			throw new UserError(`missing Debian packages: ${missing.join(' ')}`, {
				hint: `Install them, then run npm install again:\n  sudo sh -c '${aptCommand(missing)}'`,
			});
		}
		log(`installing Debian packages: ${missing.join(' ')}`);
		const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		// Wait for another apt (a second install, unattended upgrades) instead of failing at once.
		const installArgs = ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '--no-install-recommends', ...missing];
		let result = run('apt-get', installArgs, { env: aptEnv });
		appendLog(logFile, 'apt-get install', result);
		if (!result.ok) {
			// Usually a machine whose package lists were never fetched.
			log('apt-get install failed; running apt-get update and trying again');
			appendLog(logFile, 'apt-get update', run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update'], { env: aptEnv }));
			result = run('apt-get', installArgs, { env: aptEnv });
			appendLog(logFile, 'apt-get install (retry)', result);
		}
		if (!result.ok) {
			throw new UserError(`apt-get could not install: ${missing.join(' ')}`, {
				hint: `${result.stderr.trim().split('\n').slice(-5).join('\n')}\nSee ${logFile}`,
			});
		}
	}

	const absent = PKG_CONFIG_MODULES.filter((m) => !run('pkg-config', ['--exists', m]).ok);
	if (absent.length > 0 || !commandExists('flatc')) {
		throw new UserError(
			`system libraries not found through pkg-config: ${[...absent, ...(commandExists('flatc') ? [] : ['flatc'])].join(', ')}`,
			{ hint: `On Debian/Ubuntu: sudo sh -c '${aptCommand(APT_PACKAGES)}'` },
		);
	}
}

function readPinnedVersion(tasksPy, name) {
	const match = new RegExp(`${name}\\s*=\\s*os\\.getenv\\("${name}"\\)\\s*or\\s*"([^"]+)"`).exec(tasksPy);
	return match ? match[1] : null;
}

function installedDistVersion(dir, dist) {
	if (!fs.existsSync(dir)) return null;
	const prefix = `${dist}-`;
	const info = fs.readdirSync(dir).find((name) => name.startsWith(prefix) && name.endsWith('.dist-info'));
	return info ? info.slice(prefix.length, -'.dist-info'.length) : null;
}

/**
 * Installs invoke and meson (and ninja when the system has none) with pip into
 * a private --target directory inside the cache, shared by all builds that use
 * the same Python. Returns that directory; it has bin/meson and bin/ninja.
 */
export async function ensurePythonTools({ cacheRoot, workerDir, logFile }) {
	const pyVersion = run(python(), ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
	if (!pyVersion.ok) throw new UserError(`cannot run ${python()}`, { hint: pyVersion.stderr.trim() });
	const toolsDir = path.join(cacheRoot, 'tools', `python${pyVersion.stdout.trim()}`);

	const tasksPy = fs.readFileSync(path.join(workerDir, 'tasks.py'), 'utf8');
	const mesonBuild = fs.readFileSync(path.join(workerDir, 'meson.build'), 'utf8');
	const mesonMin = /meson_version\s*:\s*'>=\s*([0-9.]+)'/.exec(mesonBuild)?.[1] ?? '1.1.0';
	const wantedMeson = process.env.MESON_VERSION || null;
	const wantedNinja = process.env.NINJA_VERSION || null;

	const usable = (dir) =>
		fs.existsSync(path.join(dir, 'bin', 'meson')) &&
		fs.existsSync(path.join(dir, 'bin', 'ninja')) &&
		installedDistVersion(dir, 'invoke') !== null &&
		(!wantedMeson || installedDistVersion(dir, 'meson') === wantedMeson);
	if (usable(toolsDir)) return toolsDir;

	const release = await acquireLock(path.join(cacheRoot, 'locks', 'tools.lock'), { what: 'Python tools lock' });
	try {
		if (usable(toolsDir)) return toolsDir;
		const tmp = `${toolsDir}.tmp-${process.pid}`;
		fs.rmSync(tmp, { recursive: true, force: true });

		const systemNinja = !wantedNinja && commandExists('ninja');
		const pinnedMeson = wantedMeson ?? readPinnedVersion(tasksPy, 'MESON_VERSION');
		const pinnedNinja = wantedNinja ?? readPinnedVersion(tasksPy, 'NINJA_VERSION');
		const attempts = [];
		const withNinja = (spec) => (systemNinja ? [] : [spec]);
		if (pinnedMeson) {
			attempts.push(['invoke', `meson==${pinnedMeson}`, ...withNinja(pinnedNinja ? `ninja==${pinnedNinja}` : 'ninja')]);
		}
		if (!wantedMeson) {
			// mediasoup's pinned versions may not be on a local package index: any
			// meson 1.x new enough for worker/meson.build does the job.
			attempts.push(['invoke', `meson>=${mesonMin},<2`, ...withNinja(wantedNinja ? `ninja==${wantedNinja}` : 'ninja>=1.10')]);
		}

		let installed = false;
		for (const specs of attempts) {
			log(`installing Python build tools with pip: ${specs.join(' ')}`);
			const result = run(python(), [...PIP_BASE_ARGS, '--target', tmp, ...specs]);
			appendLog(logFile, `pip install ${specs.join(' ')}`, result);
			if (result.ok) {
				installed = true;
				break;
			}
			fs.rmSync(tmp, { recursive: true, force: true });
			log(`pip could not install ${specs.join(' ')}`);
		}
		if (!installed) {
			throw new UserError('pip could not install invoke and meson', {
				hint: `Check that pip can reach a package index (pip config list). See ${logFile}`,
			});
		}
		if (systemNinja) {
			fs.mkdirSync(path.join(tmp, 'bin'), { recursive: true });
			fs.symlinkSync(run('sh', ['-c', 'command -v ninja']).stdout.trim(), path.join(tmp, 'bin', 'ninja'));
		}
		if (!fs.existsSync(path.join(tmp, 'bin', 'meson'))) {
			throw new UserError(`pip installed meson but ${path.join(tmp, 'bin', 'meson')} is missing`);
		}
		fs.rmSync(toolsDir, { recursive: true, force: true });
		fs.renameSync(tmp, toolsDir);
		log(
			`build tools ready: invoke ${installedDistVersion(toolsDir, 'invoke')}, meson ${installedDistVersion(toolsDir, 'meson')}, ` +
				`ninja ${systemNinja ? 'from the system' : installedDistVersion(toolsDir, 'ninja')}`,
		);
		return toolsDir;
	} finally {
		release();
	}
}

/** Subprojects replaced by the local ones in ./subprojects (one folder each). */
function templateSubprojects() {
	return fs
		.readdirSync(SUBPROJECT_TEMPLATES, { withFileTypes: true })
		.filter((entry) => entry.isDirectory())
		.map((entry) => entry.name);
}

function prepareSources({ mediasoupDir, buildRoot }) {
	const replaced = new Set(templateSubprojects());
	const src = path.join(mediasoupDir, 'worker');
	const workerDir = path.join(buildRoot, 'worker');
	copyTree(src, workerDir, (rel) => {
		const top = rel.split('/')[0];
		if (['out', 'prebuild', 'pip_invoke'].includes(top) && !rel.includes('/')) return false;
		if (rel.startsWith('subprojects/')) {
			const name = rel.slice('subprojects/'.length);
			if (name === 'packagecache') return false;
			if (replaced.has(name) || replaced.has(name.replace(/\.wrap$/, ''))) return false;
		}
		return true;
	});

	const subprojectsDir = path.join(workerDir, 'subprojects');
	const placeholder = path.join(SUBPROJECT_TEMPLATES, 'empty.c');
	for (const name of replaced) {
		copyTree(path.join(SUBPROJECT_TEMPLATES, name), path.join(subprojectsDir, name));
		fs.copyFileSync(placeholder, path.join(subprojectsDir, name, 'empty.c'));
	}
	for (const entry of fs.readdirSync(SUBPROJECT_TEMPLATES)) {
		if (entry.endsWith('.wrap')) fs.copyFileSync(path.join(SUBPROJECT_TEMPLATES, entry), path.join(subprojectsDir, entry));
	}
	const leftovers = fs
		.readdirSync(subprojectsDir)
		.filter((name) => name.endsWith('.wrap') && !replaced.has(name.slice(0, -5)) && name !== 'wingetopt.wrap');
	if (leftovers.length > 0) {
		warn(`this mediasoup version has subprojects without a local replacement: ${leftovers.join(', ')}`);
	}

	patchDtlsBioCallback(workerDir);
	return workerDir;
}

/**
 * mediasoup's DTLS BIO callback returns the operation's result only when
 * operationType == BIO_CB_RETURN, but OpenSSL flags a return call as
 * (operation | BIO_CB_RETURN), so every return call answers 1. With Debian's
 * libssl (built with kernel TLS support) one of those calls is the BIO_ctrl
 * asking whether kernel TLS is active on the memory BIO; the answer 1 makes
 * OpenSSL take the kTLS path and the worker crashes on the first DTLS packet.
 * Testing the flag returns the real result.
 */
function patchDtlsBioCallback(workerDir) {
	const file = path.join(workerDir, 'src', 'RTC', 'DtlsTransport.cpp');
	if (!fs.existsSync(file)) {
		warn('src/RTC/DtlsTransport.cpp not found; DTLS BIO callback fix not applied');
		return;
	}
	const source = fs.readFileSync(file, 'utf8');
	const broken = /\(\s*operationType\s*==\s*BIO_CB_RETURN\s*\)/g;
	if (broken.test(source)) {
		fs.writeFileSync(file, source.replace(broken, '((operationType & BIO_CB_RETURN) != 0)'));
		log('patched the DTLS BIO callback (operationType & BIO_CB_RETURN) for Debian libssl');
	} else if (!/operationType\s*&\s*BIO_CB_RETURN/.test(source)) {
		warn('DTLS BIO callback pattern not found; the worker may crash on the first DTLS packet with Debian libssl');
	}
}

/** Runs mediasoup's own invoke task, logging to logFile and summarising progress. */
function runInvoke({ buildRoot, toolsDir, logFile }) {
	const env = {
		...process.env,
		PYTHONPATH: toolsDir,
		PYTHONDONTWRITEBYTECODE: '1',
		MEDIASOUP_BUILDTYPE: 'Release',
		// Never let meson reach out for a subproject: all of them are local.
		MESON_ARGS: '--wrap-mode=nodownload',
	};
	for (const name of ['MEDIASOUP_WORKER_BIN', 'MEDIASOUP_OUT_DIR', 'MEDIASOUP_INSTALL_DIR', 'BUILD_DIR', 'MESON']) {
		delete env[name];
	}
	const meson = installedDistVersion(toolsDir, 'meson');
	if (meson) env.MESON_VERSION = meson;
	const ninja = installedDistVersion(toolsDir, 'ninja');
	if (ninja) env.NINJA_VERSION = ninja;

	const out = fs.openSync(logFile, 'a');
	fs.writeSync(out, `\n===== ${python()} -m invoke -r worker mediasoup-worker (in ${buildRoot})\n`);

	return new Promise((resolve, reject) => {
		const child = spawn(python(), ['-m', 'invoke', '-r', 'worker', 'mediasoup-worker'], {
			cwd: buildRoot,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const started = Date.now();
		let phase = 'configuring (meson setup)';
		let done = 0;
		let total = 0;
		let lastReport = 0;
		const report = (force = false) => {
			if (!force && Date.now() - lastReport < 20_000) return;
			lastReport = Date.now();
			const count = total > 0 && phase.startsWith('compiling') ? ` ${done}/${total}` : '';
			log(`${phase}${count} (${formatDuration(Date.now() - started)} so far)`);
		};
		const setPhase = (next) => {
			if (next !== phase) {
				phase = next;
				report(true);
			}
		};
		let pending = '';
		const onData = (chunk) => {
			fs.writeSync(out, chunk);
			pending += chunk.toString('utf8');
			const lines = pending.split(/\r?\n|\r/);
			pending = lines.pop();
			for (const line of lines) {
				if (/ setup /.test(line) && /meson/.test(line)) setPhase('configuring (meson setup)');
				else if (/compile .*flatbuffers-generator/.test(line)) setPhase('generating FlatBuffers headers');
				else if (/compile .*mediasoup-worker/.test(line)) setPhase('compiling mediasoup-worker');
				else if (/ install .*--tags mediasoup-worker/.test(line)) setPhase('installing');
				const progress = /^\[(\d+)\/(\d+)\]/.exec(line);
				if (progress && phase.startsWith('compiling')) {
					done = Number(progress[1]);
					total = Number(progress[2]);
				}
			}
			report();
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);

		const forward = (signal) => {
			try {
				process.kill(-child.pid, signal);
			} catch {
				// Already gone.
			}
		};
		const onSignal = (signal) => {
			forward(signal);
			process.exitCode = 130;
		};
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);

		child.on('error', (error) => {
			fs.closeSync(out);
			reject(error);
		});
		child.on('close', (code, signal) => {
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			fs.closeSync(out);
			if (code === 0) resolve(Date.now() - started);
			else reject(new UserError(`the worker build failed (${signal ?? `exit ${code}`}) while ${phase}`, { hint: `Full log: ${logFile}` }));
		});
	});
}

function tailOfFile(file, lines) {
	try {
		return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/**
 * Builds mediasoup-worker for the mediasoup package at mediasoupDir in a
 * temporary copy of its worker folder. Returns { bin, buildRoot, ms } where
 * bin is the built binary inside buildRoot; the caller removes buildRoot.
 */
export async function buildWorker({ mediasoupDir, version, cacheRoot, logFile }) {
	ensureSystemPackages({ logFile });
	const toolsDir = await ensurePythonTools({ cacheRoot, workerDir: path.join(mediasoupDir, 'worker'), logFile });

	const buildRoot = fs.mkdtempSync(path.join(os.tmpdir(), `confidante-mediasoup-worker-${version}-`));
	try {
		log(`building mediasoup-worker ${version} from the package sources in ${buildRoot} (a few minutes; log: ${logFile})`);
		const workerDir = prepareSources({ mediasoupDir, buildRoot });
		fs.mkdirSync(path.join(workerDir, 'out'), { recursive: true });
		// mediasoup's tasks skip their own pip install when this already has bin/meson.
		symlinkFile(toolsDir, path.join(workerDir, 'out', 'pip_meson_ninja'));

		let ms;
		try {
			ms = await runInvoke({ buildRoot, toolsDir, logFile });
		} catch (error) {
			const tail = tailOfFile(logFile, 25);
			if (tail) process.stderr.write(`${tail.replace(/^/gm, '  | ')}\n`);
			throw error;
		}
		const bin = path.join(workerDir, 'out', 'Release', 'mediasoup-worker');
		if (!fs.existsSync(bin)) {
			throw new UserError(`the build finished but ${bin} is missing`, { hint: `Full log: ${logFile}` });
		}
		return { bin, buildRoot, ms, toolsDir };
	} catch (error) {
		if (envFlag('CONFIDANTE_MEDIA_WORKER_KEEP_BUILD')) log(`build directory kept: ${buildRoot}`);
		else fs.rmSync(buildRoot, { recursive: true, force: true });
		throw error;
	}
}
