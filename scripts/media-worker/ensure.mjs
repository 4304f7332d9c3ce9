#!/usr/bin/env node
// Makes sure the installed mediasoup package has a working mediasoup-worker
// binary without relying on mediasoup's own postinstall (which downloads a
// prebuilt binary or sources from the internet).
//
// Order: CONFIDANTE_SKIP_MEDIA_WORKER=1 -> skip; mediasoup not installed ->
// nothing to do; MEDIASOUP_WORKER_BIN -> use it; binary already in
// node_modules -> done; per-machine cache -> link it in; mediasoup's prebuilt
// download (short timeout) -> cache; offline build from the package's own
// sources against Debian libraries -> cache. See README.md next to this file.
//
// Usage: node scripts/media-worker/ensure.mjs [--project DIR] [--rebuild]
//        [--no-download] [--print-path]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorker } from './build.mjs';
import { tryPrebuiltDownload } from './prebuilt.mjs';
import {
	UserError,
	acquireLock,
	describeBinaryFailure,
	envFlag,
	formatDuration,
	installFile,
	log,
	symlinkFile,
	warn,
	workerBinaryRuns,
} from './util.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
	const options = { project: path.resolve(HERE, '..', '..'), rebuild: false, download: true, printPath: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--project') options.project = path.resolve(argv[++i] ?? '.');
		else if (arg.startsWith('--project=')) options.project = path.resolve(arg.slice('--project='.length));
		else if (arg === '--rebuild') options.rebuild = true;
		else if (arg === '--no-download') options.download = false;
		else if (arg === '--print-path') options.printPath = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(
				'usage: ensure.mjs [--project DIR] [--rebuild] [--no-download] [--print-path]\n' +
					'See scripts/media-worker/README.md for the environment variables.\n',
			);
			process.exit(0);
		} else throw new UserError(`unknown argument: ${arg}`);
	}
	if (envFlag('CONFIDANTE_MEDIA_WORKER_REBUILD')) options.rebuild = true;
	if (envFlag('CONFIDANTE_MEDIA_WORKER_NO_DOWNLOAD')) options.download = false;
	return options;
}

/** Finds node_modules/mediasoup as seen from the project (null if absent). */
function findMediasoup(projectDir) {
	const candidates = [];
	try {
		// mediasoup's "exports" hides package.json, so resolve the entry point
		// (node/lib/index.js) and walk up to the package root.
		const entry = createRequire(path.join(projectDir, 'package.json')).resolve('mediasoup');
		let dir = path.dirname(entry);
		while (dir !== path.dirname(dir)) {
			candidates.push(dir);
			dir = path.dirname(dir);
		}
	} catch {
		// Not resolvable: fall back to the plain location.
	}
	candidates.push(path.join(projectDir, 'node_modules', 'mediasoup'));
	for (const dir of candidates) {
		try {
			const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
			if (pkg.name === 'mediasoup' && pkg.version) return { dir, pkg, version: pkg.version };
		} catch {
			// Keep looking.
		}
	}
	return null;
}

export function cacheRoot() {
	if (process.env.CONFIDANTE_MEDIA_WORKER_CACHE) return path.resolve(process.env.CONFIDANTE_MEDIA_WORKER_CACHE);
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'confidante', 'mediasoup-worker');
}

/** Puts a copy (hard link when possible) of the cached binary where mediasoup looks. */
function linkIntoPackage(cachedBin, target) {
	const how = installFile(cachedBin, target);
	log(`mediasoup-worker ready: ${target} (${how} of ${cachedBin})`);
}

function storeInCache(bin, cacheDir, info) {
	fs.mkdirSync(cacheDir, { recursive: true });
	const cached = path.join(cacheDir, 'mediasoup-worker');
	installFile(bin, cached, { preferLink: false });
	fs.writeFileSync(path.join(cacheDir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
	return cached;
}

async function main() {
	if (envFlag('CONFIDANTE_SKIP_MEDIA_WORKER')) {
		log('CONFIDANTE_SKIP_MEDIA_WORKER is set, skipping');
		return;
	}
	const options = parseArgs(process.argv.slice(2));
	const mediasoup = findMediasoup(options.project);
	if (!mediasoup) return; // mediasoup not installed (e.g. production install without it): nothing to do.

	const { version } = mediasoup;
	// mediasoup's Worker.js spawns worker/out/Release/mediasoup-worker inside
	// its package unless MEDIASOUP_WORKER_BIN is set (or MEDIASOUP_BUILDTYPE=Debug).
	const target = path.join(mediasoup.dir, 'worker', 'out', 'Release', 'mediasoup-worker');
	const done = (file) => {
		if (options.printPath) process.stdout.write(`${file}\n`);
	};

	const explicit = process.env.MEDIASOUP_WORKER_BIN;
	if (explicit) {
		const file = path.resolve(explicit);
		if (!fs.existsSync(file)) {
			throw new UserError(`MEDIASOUP_WORKER_BIN points at ${file}, which does not exist`, {
				hint: 'Unset it to build the worker locally, or point it at a mediasoup-worker binary.',
			});
		}
		if (!workerBinaryRuns(file)) warn(`MEDIASOUP_WORKER_BIN=${file} does not run here: ${describeBinaryFailure(file)}`);
		// Also link it into the package so it is found when the variable is not
		// set at run time.
		symlinkFile(file, target);
		log(`using MEDIASOUP_WORKER_BIN=${file} for mediasoup ${version} (linked at ${target})`);
		done(file);
		return;
	}

	if (!options.rebuild && workerBinaryRuns(target)) {
		log(`mediasoup-worker for mediasoup ${version} already in place (${target})`);
		done(target);
		return;
	}

	const root = cacheRoot();
	const cacheDir = path.join(root, version);
	const cachedBin = path.join(cacheDir, 'mediasoup-worker');
	const logFile = path.join(cacheDir, 'build.log');

	const tryCache = () => {
		if (!fs.existsSync(cachedBin)) return false;
		if (workerBinaryRuns(cachedBin)) {
			linkIntoPackage(cachedBin, target);
			done(target);
			return true;
		}
		warn(`cached ${cachedBin} does not run here (${describeBinaryFailure(cachedBin)}); rebuilding`);
		return false;
	};
	if (!options.rebuild && tryCache()) return;

	const release = await acquireLock(path.join(root, 'locks', `${version}.lock`), {
		what: `mediasoup-worker ${version} build lock`,
	});
	try {
		// Another install may have produced it while we waited for the lock.
		if (!options.rebuild && tryCache()) return;
		fs.mkdirSync(cacheDir, { recursive: true });
		fs.writeFileSync(logFile, `mediasoup-worker ${version} build log, ${new Date().toISOString()}\n`);

		if (options.download) {
			const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `confidante-mediasoup-prebuilt-${version}-`));
			try {
				const timeoutMs = Number(process.env.CONFIDANTE_MEDIA_WORKER_DOWNLOAD_TIMEOUT_MS) || 20_000;
				const bin = await tryPrebuiltDownload({ mediasoupPkg: mediasoup.pkg, version, workDir, timeoutMs });
				if (bin) {
					const cached = storeInCache(bin, cacheDir, {
						mediasoup: version,
						source: 'mediasoup prebuilt download',
						date: new Date().toISOString(),
						platform: `${os.platform()}-${os.arch()}`,
					});
					linkIntoPackage(cached, target);
					done(target);
					return;
				}
			} finally {
				fs.rmSync(workDir, { recursive: true, force: true });
			}
		}

		const { bin, buildRoot, ms, toolsDir } = await buildWorker({
			mediasoupDir: mediasoup.dir,
			version,
			cacheRoot: root,
			logFile,
		});
		try {
			if (!workerBinaryRuns(bin)) {
				throw new UserError(`the freshly built worker does not run: ${describeBinaryFailure(bin)}`, {
					hint: `Full log: ${logFile}`,
				});
			}
			const cached = storeInCache(bin, cacheDir, {
				mediasoup: version,
				source: 'offline build from the npm package sources against Debian libraries',
				date: new Date().toISOString(),
				buildSeconds: Math.round(ms / 1000),
				platform: `${os.platform()}-${os.arch()}`,
				node: process.version,
				tools: toolsDir,
			});
			log(`built mediasoup-worker ${version} in ${formatDuration(ms)}; cached at ${cached}`);
			linkIntoPackage(cached, target);
			done(target);
		} finally {
			if (envFlag('CONFIDANTE_MEDIA_WORKER_KEEP_BUILD')) log(`build directory kept: ${buildRoot}`);
			else fs.rmSync(buildRoot, { recursive: true, force: true });
		}
	} finally {
		release();
	}
}

try {
	await main();
} catch (error) {
	if (error instanceof UserError) {
		log(`ERROR: ${error.message}`);
		if (error.hint) process.stderr.write(`${error.hint.replace(/^/gm, '[media-worker]   ')}\n`);
	} else {
		log(`ERROR: ${error?.stack ?? error}`);
	}
	if (envFlag('CONFIDANTE_MEDIA_WORKER_OPTIONAL')) {
		warn('CONFIDANTE_MEDIA_WORKER_OPTIONAL is set: continuing without a mediasoup-worker binary');
	} else {
		log('mediasoup needs this binary to run. Set CONFIDANTE_SKIP_MEDIA_WORKER=1 to install without it.');
		process.exitCode = 1;
	}
}
