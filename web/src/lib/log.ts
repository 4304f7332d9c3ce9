/**
 * The browser's logger: pino's browser build, so a problem is logged as one
 * object with its context (session, what was being done, the error's code)
 * at a level, as on the server, rather than as loose console arguments.
 * What a person needs to know goes to the page as words; this is for
 * whoever opens the developer tools.
 */
import pino from 'pino';

export const log = pino({ browser: { asObject: true }, level: 'info' });
