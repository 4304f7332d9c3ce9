import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// The Node server in server/main.ts mounts build/handler.js itself, so that
		// socket.io and the Yjs endpoint share the app's port. precompress writes
		// .br and .gz beside every asset; the handler serves them by Accept-Encoding
		// (a session page's JavaScript is about a third of its size gzipped).
		adapter: adapter({ out: 'build', precompress: true }),
		files: {
			assets: 'web/static',
			hooks: {
				client: 'web/src/hooks.client',
				server: 'web/src/hooks.server',
				universal: 'web/src/hooks'
			},
			lib: 'web/src/lib',
			params: 'web/src/params',
			routes: 'web/src/routes',
			serviceWorker: 'web/src/service-worker',
			appTemplate: 'web/src/app.html',
			errorTemplate: 'web/src/error.html'
		},
		alias: {
			$shared: 'shared',
			$server: 'server'
		},
		// Origin checks for form posts; hooks.server.ts extends this to every
		// state-changing request, and the socket endpoints check it themselves.
		csrf: { trustedOrigins: [] },
		// A strict Content-Security-Policy: scripts only from this origin plus
		// SvelteKit's own inline start-up script by nonce (hash when prerendered);
		// no framing; no plugins; connections (fetch, the pad and socket.io
		// WebSockets) to this origin only. Style attributes are allowed (Svelte
		// renders `style="--n: 2"`, and carets are coloured per person): they
		// cannot run code. The summary's {@html} notes are sanitised on the
		// server; this is the second line of defence.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self'],
				'style-src-attr': ['unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'media-src': ['self', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'worker-src': ['self', 'blob:'],
				'frame-src': ['none'],
				'frame-ancestors': ['none'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'manifest-src': ['self']
			}
		}
	}
};

export default config;
