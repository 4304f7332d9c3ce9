/**
 * The failpoints (server/failpoints): off unless armed, armed only from a
 * valid spec, never in production, and firing as many times as asked.
 */
import { afterEach, expect, it } from 'vitest';
import { armFailpoints, disarmFailpoints, failpoint, failpointAsync, FailpointError, parseFailpoints } from '../../server/failpoints/index.ts';
import { ConfigError, loadConfig } from '../../server/config/index.ts';

afterEach(() => disarmFailpoints());

it('does nothing unless armed; an armed point throws an error naming it, as many times as asked', () => {
	expect(() => failpoint('pad.store.append')).not.toThrow();
	armFailpoints('pad.store.append=throw*2, pad.store.compact=throw');
	expect(() => failpoint('pad.store.append')).toThrow(FailpointError);
	expect(() => failpoint('pad.store.append')).toThrow(/pad\.store\.append/);
	expect(() => failpoint('pad.store.append')).not.toThrow();
	expect(() => failpoint('pad.store.compact')).toThrow(FailpointError);
	expect(() => failpoint('pad.store.compact')).toThrow(FailpointError);
	expect(() => failpoint('pad.store.recover')).not.toThrow();
});

it('an awaited point can delay', async () => {
	armFailpoints('summary.afterEndMarked=delay:60*1');
	const started = performance.now();
	await failpointAsync('summary.afterEndMarked');
	expect(performance.now() - started).toBeGreaterThanOrEqual(55);
	await failpointAsync('summary.afterEndMarked');
});

it('refuses an unknown point, an unknown action, and a delay where nothing awaits it', () => {
	expect(() => parseFailpoints('pad.store.apend=throw')).toThrow(/"pad\.store\.apend" is not a failpoint; known: .*pad\.store\.append/);
	expect(() => parseFailpoints('pad.store.append=explode')).toThrow(/not an action/);
	expect(() => parseFailpoints('pad.store.append=delay:10')).toThrow(/can only throw or kill/);
	expect([...parseFailpoints('summary.afterEndMarked=kill').entries()]).toEqual([['summary.afterEndMarked', { action: { kind: 'kill' }, times: Infinity }]]);
});

it('the configuration takes CONFIDANTE_FAILPOINTS, names it when wrong, and refuses it in production', () => {
	expect(loadConfig({ CONFIDANTE_FAILPOINTS: 'pad.store.append=throw*1' }).failpoints.get('pad.store.append')).toEqual({ action: { kind: 'throw' }, times: 1 });
	expect(loadConfig({}).failpoints.size).toBe(0);
	expect(() => loadConfig({ CONFIDANTE_FAILPOINTS: 'nope=throw' })).toThrow(ConfigError);
	expect(() => loadConfig({ CONFIDANTE_FAILPOINTS: 'nope=throw' })).toThrow(/CONFIDANTE_FAILPOINTS: "nope" is not a failpoint/);
	expect(() => loadConfig({ CONFIDANTE_FAILPOINTS: 'pad.store.append=throw', NODE_ENV: 'production' })).toThrow(/CONFIDANTE_FAILPOINTS: fault injection is for tests/);
});
