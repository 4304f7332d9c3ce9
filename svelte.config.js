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
		csrf: { trustedOrigins: [] }
	}
};

export default config;
