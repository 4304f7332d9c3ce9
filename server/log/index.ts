import pino from 'pino';

/** One logger for the process; features take a child with their name. */
export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
	return pino({ level, base: { app: 'confidante' } });
}
