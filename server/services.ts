/**
 * The server's features, handed to the SvelteKit app. The app is bundled
 * separately (build/handler.js) and runs in this same process, so it reaches
 * the one instance of each service through a global slot rather than
 * importing (and so duplicating) the modules.
 */
import type { Config } from './config/index.ts';
import type { Logger } from './log/index.ts';
import type { Store } from './store/index.ts';
import type { Auth } from './auth/index.ts';
import type { Engagements } from './engagements/index.ts';
import type { Contracts } from './contracts/index.ts';
import type { Sponsors } from './sponsors/index.ts';
import type { Rooms } from './rooms/index.ts';
import type { Pad } from './pad/index.ts';
import type { Summaries } from './summary/index.ts';
import type { Prompts } from './prompts/index.ts';
import type { Media } from './media/index.ts';

export interface Services {
	config: Config;
	log: Logger;
	store: Store;
	auth: Auth;
	engagements: Engagements;
	contracts: Contracts;
	sponsors: Sponsors;
	rooms: Rooms;
	pad: Pad;
	summaries: Summaries;
	prompts: Prompts;
	media: Media;
}

const slot = Symbol.for('confidante.services');
type Slot = { [slot]?: Services };

export function provideServices(services: Services): void {
	(globalThis as Slot)[slot] = services;
}

export function services(): Services {
	const s = (globalThis as Slot)[slot];
	if (!s) throw new Error('Confidante services are not started; run the app with `npm start`.');
	return s;
}
