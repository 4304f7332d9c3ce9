/**
 * The Confidante server process: `npm start` runs this file.
 * Reads configuration, starts the app on one port, and shuts down cleanly on
 * SIGTERM/SIGINT (stop accepting, tell clients, flush, exit).
 */
import { ConfigError, limits, loadConfig } from './config/index.ts';
import { createLogger } from './log/index.ts';
import { createApp } from './app.ts';
import { watchEventLoop } from './health/index.ts';

let config;
try {
	config = loadConfig();
} catch (err) {
	if (err instanceof ConfigError) {
		console.error(err.message);
		process.exit(2);
	}
	throw err;
}

const log = createLogger(config.logLevel);
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
if (config.clusterWarning) log.warn(config.clusterWarning);

const app = await createApp(config, log);
watchEventLoop(log.child({ feature: 'health' }));
app.server.listen(config.port, config.host, () => {
	const address = app.server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	log.info({ port, host: config.host, database: app.services.store.dialect.kind, dataDir: config.dataDir }, `Confidante is listening on http://localhost:${port}`);
});

let stopping = false;
async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	log.info({ signal }, 'shutting down');
	const force = setTimeout(() => {
		log.warn('shutdown took too long; exiting');
		process.exit(1);
	}, limits.http.shutdownGraceMs);
	force.unref();
	try {
		await app.close('The server is restarting; you will be reconnected.');
		process.exit(0);
	} catch (err) {
		log.error({ err }, 'shutdown failed');
		process.exit(1);
	}
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
