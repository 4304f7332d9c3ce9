// Tries mediasoup's own prebuilt worker download, the same file mediasoup's
// postinstall would fetch, but bounded in time so that an offline or
// firewalled machine moves on to the local build quickly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandExists, log, run, workerBinaryRuns } from './util.mjs';

function prebuiltTarName(version) {
	let name = `mediasoup-worker-${version}-${os.platform()}-${os.arch()}`;
	if (os.platform() === 'linux') name += `-kernel${Number(os.release().split('.')[0])}`;
	return `${name}.tgz`;
}

function releaseBase(mediasoupPkg) {
	if (process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL) {
		return process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL;
	}
	const repo = typeof mediasoupPkg.repository === 'string' ? mediasoupPkg.repository : mediasoupPkg.repository?.url;
	if (!repo) return null;
	return `${repo.replace(/^git\+/, '').replace(/\.git$/, '')}/releases/download`;
}

/**
 * Downloads and unpacks the prebuilt worker into workDir. Returns the path of
 * a binary that runs on this host, or null (with a logged reason).
 */
export async function tryPrebuiltDownload({ mediasoupPkg, version, workDir, timeoutMs }) {
	if (typeof fetch !== 'function' || typeof AbortSignal?.timeout !== 'function') {
		log('prebuilt download: this Node has no fetch(), skipping');
		return null;
	}
	if (!commandExists('tar')) {
		log('prebuilt download: no tar command, skipping');
		return null;
	}
	const base = releaseBase(mediasoupPkg);
	if (!base) return null;
	const url = `${base}/${version}/${prebuiltTarName(version)}`;
	log(`trying mediasoup's prebuilt worker (gives up after ${Math.round(timeoutMs / 1000)}s): ${url}`);

	let body;
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
		if (!response.ok) {
			log(`prebuilt download: HTTP ${response.status}, not available`);
			return null;
		}
		body = Buffer.from(await response.arrayBuffer());
	} catch (error) {
		const reason = error?.cause?.code ?? error?.cause?.message ?? error?.name ?? error?.message;
		log(`prebuilt download failed (${reason}); building locally instead`);
		return null;
	}

	fs.mkdirSync(workDir, { recursive: true });
	const tarFile = path.join(workDir, 'prebuilt.tgz');
	fs.writeFileSync(tarFile, body);
	const unpacked = run('tar', ['-xzf', tarFile, '-C', workDir]);
	const bin = path.join(workDir, 'mediasoup-worker');
	if (!unpacked.ok || !fs.existsSync(bin)) {
		log('prebuilt download: could not unpack the archive');
		return null;
	}
	fs.chmodSync(bin, 0o755);
	if (!workerBinaryRuns(bin)) {
		log('prebuilt download: the binary does not run on this host; building locally instead');
		return null;
	}
	return bin;
}
