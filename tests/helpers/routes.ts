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
	actions: string[];
	endpoint: boolean;
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
			out.push({ pattern: '/' + rel, actions, endpoint: files.includes('+server.ts') });
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
export const ACCOUNT_ROUTES = ['/signup/confirm/[token]', '/confirm', '/confirm/[token]', '/reset', '/reset/[token]', '/settings', '/settings/devices', '/settings/activity', '/settings/data.zip'];
