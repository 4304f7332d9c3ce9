/**
 * Every route of the app from the route tree (pages, endpoints and their form
 * actions under web/src/routes), so access matrices for roles that are not
 * engagement members (sponsor, scheme coordinator) cover new routes by
 * themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './server.ts';

export interface Route {
	pattern: string;
	/** Form actions of its `+page.server.ts` (`default` for an unnamed one). */
	actions: string[];
	endpoint: boolean;
	/** HTTP methods its `+server.ts` exports (GET, POST...). */
	methods: string[];
	/** Whether it has a page (`+page.svelte` or `+page.server.ts`), answered to GET. */
	page: boolean;
}

export function routeTree(): Route[] {
	const base = path.join(ROOT, 'web', 'src', 'routes');
	const out: Route[] = [];
	const walk = (dir: string) => {
		const files = fs.readdirSync(dir);
		const rel = path.relative(base, dir).split(path.sep).filter(Boolean).join('/');
		if (files.some((f) => /^\+(page\.svelte|page\.server\.ts|server\.ts)$/.test(f))) {
			const server = files.includes('+page.server.ts') ? fs.readFileSync(path.join(dir, '+page.server.ts'), 'utf8') : '';
			const block = /export const actions[^=]*=\s*\{([\s\S]*)\};?\s*$/.exec(server)?.[1] ?? '';
			const actions = [...block.matchAll(/^\t(\w+): async/gm)].map((m) => m[1]!);
			const endpoint = files.includes('+server.ts') ? fs.readFileSync(path.join(dir, '+server.ts'), 'utf8') : '';
			const methods = [...endpoint.matchAll(/^export (?:const|(?:async )?function) (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/gm)].map((m) => m[1]!);
			const page = files.includes('+page.svelte') || files.includes('+page.server.ts');
			out.push({ pattern: '/' + rel, actions, endpoint: files.includes('+server.ts'), methods, page });
		}
		for (const f of files) if (fs.statSync(path.join(dir, f)).isDirectory()) walk(path.join(dir, f));
	};
	walk(base);
	return out;
}

/** A route's URL with each `[param]` replaced by the id its parent segment names in `values`. */
export const routeUrl = (pattern: string, values: Record<string, string>) =>
	pattern.replace(/\/([^/]+)\/\[(\w+)\](\.md)?/g, (_, parent: string, _name: string, ext: string | undefined) => `/${parent}/${values[parent] ?? 'x'}${ext ?? ''}`);

/** Scheme routes: reachable by any signed-in person, and holding nothing of any engagement (tests/integration/schemes.test.ts covers them). */
export const SCHEME_ROUTES = ['/schemes', '/schemes/new', '/schemes/[id]', '/schemes/[id]/ask', '/schemes/[id]/requests/[request]', '/schemes/[id]/volunteers/[user]', '/scheme-invite/[token]', '/matches/[id]'];

/** A person's own account pages: open to anyone signed in, holding nothing of any engagement. */
export const ACCOUNT_ROUTES = ['/signup/confirm/[token]', '/confirm', '/confirm/[token]', '/reset', '/reset/[token]', '/settings', '/settings/devices', '/settings/activity', '/settings/data.zip', '/settings/security', '/settings/security/passkey', '/signin/second-factor', '/signin/second-factor/passkey', '/signin/passkey'];

/** The coach's own practice (log and its CSV): open to anyone signed in, listing only engagements they coach (tests/integration/practice.test.ts). */
export const PRACTICE_ROUTES = ['/practice', '/practice/hours.csv'];

/** One way in over HTTP: a page (GET), one of its form actions (POST), or an endpoint's method. */
export interface Door {
	/** `GET /engagements/[id]`, `POST /engagements/[id]?/invite`, `POST /signin` (a default action), `GET /summaries/[id].md`. */
	key: string;
	pattern: string;
	method: string;
	/** The form action, when the door is one. */
	action?: string;
}

/** Every HTTP door of the app, from the route tree: what the authorization matrix (tests/integration/authz-matrix.test.ts) tries. */
export function httpDoors(): Door[] {
	return routeTree().flatMap((r) => [
		...(r.page ? [{ key: `GET ${r.pattern}`, pattern: r.pattern, method: 'GET' }] : []),
		...r.actions.map((action) => ({ key: action === 'default' ? `POST ${r.pattern}` : `POST ${r.pattern}?/${action}`, pattern: r.pattern, method: 'POST', action })),
		...r.methods.map((method) => ({ key: `${method} ${r.pattern}`, pattern: r.pattern, method }))
	]);
}
