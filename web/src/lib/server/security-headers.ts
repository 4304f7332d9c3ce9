/**
 * Headers on every page and endpoint besides the Content-Security-Policy
 * (kit.csp in svelte.config.js, which SvelteKit writes with its nonces):
 * camera, microphone and screen sharing for this origin only and nothing
 * else the pages do not use; a window of our own (COOP), so another site's
 * window cannot reach this one; no framing for browsers without
 * frame-ancestors; no Referer to other sites; and HSTS when served over https.
 */
const PERMISSIONS = [
	'camera=(self)',
	'microphone=(self)',
	'display-capture=(self)',
	'fullscreen=(self)',
	'autoplay=(self)',
	'geolocation=()',
	'payment=()',
	'usb=()',
	'serial=()',
	'bluetooth=()',
	'hid=()',
	'midi=()',
	'accelerometer=()',
	'gyroscope=()',
	'magnetometer=()',
	'interest-cohort=()'
].join(', ');

export function securityHeaders(https: boolean): [string, string][] {
	const headers: [string, string][] = [
		['x-content-type-options', 'nosniff'],
		['referrer-policy', 'same-origin'],
		['permissions-policy', PERMISSIONS],
		['cross-origin-opener-policy', 'same-origin'],
		['cross-origin-resource-policy', 'same-origin'],
		['x-frame-options', 'DENY']
	];
	// Two years, as the preload list asks; only ever sent over https (browsers ignore it otherwise).
	if (https) headers.push(['strict-transport-security', 'max-age=63072000; includeSubDomains']);
	return headers;
}
