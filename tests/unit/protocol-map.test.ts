/** How an ack is read against the shared map: known failures and replies pass, anything else does not. */
import { expect, it } from 'vitest';
import { clientRequests, isRequestName, readAnswer, serverEvents } from '../../shared/protocol/index.ts';

it('reads acks as the protocol defines them', () => {
	expect(readAnswer('session:leave', { ok: true, value: true })).toEqual({ ok: true, value: true });
	expect(readAnswer('session:end', { ok: true, value: { summaryId: 's1', alreadyEnded: false } })).toEqual({ ok: true, value: { summaryId: 's1', alreadyEnded: false } });
	expect(readAnswer('prompts:create', { ok: false, error: { code: 'invalid_input', message: 'Too short.', field: 'text', fields: { text: 'Too short.' } } })).toMatchObject({
		ok: false,
		error: { code: 'invalid_input', fields: { text: 'Too short.' } }
	});
	// A code this build does not know, a reply of the wrong shape, or no Result at all: not understood.
	expect(readAnswer('session:leave', { ok: false, error: { code: 'teapot', message: 'No.' } })).toBeNull();
	expect(readAnswer('session:end', { ok: true, value: { summaryId: 7 } })).toBeNull();
	expect(readAnswer('session:leave', 'ok')).toBeNull();
	expect(readAnswer('session:leave', null)).toBeNull();
});

it('knows its request names and nothing inherited', () => {
	expect(isRequestName('media:join')).toBe(true);
	for (const name of ['__proto__', 'toString', 'constructor', 'error', 42, null]) expect(isRequestName(name)).toBe(false);
	// Each request and event has a schema to check it with.
	for (const spec of Object.values(clientRequests)) expect(typeof spec.payload.safeParse).toBe('function');
	expect(Object.keys(serverEvents)).toContain('media:newProducer');
});
