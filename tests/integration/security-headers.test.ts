/**
 * Issue 17's header finding: pages carried no Content-Security-Policy, no
 * framing protection, no Permissions-Policy and no COOP, while they use the
 * camera and render summary notes with {@html}. Every page now has a strict
 * CSP (a fresh nonce per response), and HSTS is sent when the origin is https.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	await server?.cleanup();
});

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));

describe('security headers', () => {
	for (const path of ['/', '/signin', '/signup']) {
		it(`${path}: strict CSP with a nonce, no framing, camera and microphone for this origin only, COOP, Referrer-Policy`, async () => {
			const res = await fetch(server.url + path, { redirect: 'manual' });
			const csp = res.headers.get('content-security-policy');
			expect(csp, 'a Content-Security-Policy').toBeTruthy();
			const d = directives(csp!);
			const script = d.get('script-src') ?? [];
			expect(script).toContain("'self'");
			expect(script.some((v) => /^'nonce-[A-Za-z0-9+/=]+'$/.test(v) || /^'sha256-/.test(v))).toBe(true);
			expect(script).not.toContain("'unsafe-inline'");
			expect(script).not.toContain("'unsafe-eval'");
			expect(d.get('default-src')).toEqual(["'self'"]);
			expect(d.get('frame-ancestors')).toEqual(["'none'"]);
			expect(d.get('object-src')).toEqual(["'none'"]);
			expect(d.get('base-uri')).toEqual(["'self'"]);
			expect(d.get('connect-src')).toEqual(["'self'"]);
			const permissions = res.headers.get('permissions-policy') ?? '';
			for (const feature of ['camera', 'microphone', 'display-capture']) expect(permissions).toContain(`${feature}=(self)`);
			expect(permissions).toContain('geolocation=()');
			expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
			expect(res.headers.get('referrer-policy')).toBe('same-origin');
			expect(res.headers.get('x-frame-options')).toBe('DENY');
			// Over plain http there is no HSTS (it would be ignored, and wrong behind no TLS).
			expect(res.headers.get('strict-transport-security')).toBeNull();
		});
	}

	it('a fresh nonce on every response, and the page uses it', async () => {
		const [a, b] = await Promise.all([fetch(server.url + '/signin'), fetch(server.url + '/signin')]);
		const nonce = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get('content-security-policy') ?? '')?.[1];
		expect(nonce(a)).toBeTruthy();
		expect(nonce(a)).not.toBe(nonce(b));
		expect(await a.text()).toContain(`nonce="${nonce(a)}"`);
	});
});

describe('over https', () => {
	let https: TestServer;
	beforeAll(async () => {
		https = await startServer({ env: { ORIGIN: 'https://confidante.example' } });
	});
	afterAll(async () => {
		await https?.cleanup();
	});
	it('sends HSTS when the origin is https', async () => {
		const res = await fetch(https.url + '/signin', { redirect: 'manual' });
		expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}/);
	});
});
