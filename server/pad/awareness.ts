/**
 * What a connection may put into a document's awareness, judged before it
 * is applied: only its own clients' entries (never another connection's,
 * never the server's id), no server-owned key in any state, at most
 * limits.pad.awarenessClientsPerConnection clients and
 * limits.pad.awarenessBytesPerConnection bytes of state per connection.
 * Every newcomer is sent the whole awareness, so these bound what one join
 * costs: connections per document times bytes per connection.
 */
import { limits } from '../config/index.ts';
import { isServerOwnedKey, SERVER_AWARENESS_ID } from '../../shared/pad/index.ts';
import { CloseCode } from './close-codes.ts';
import type { AwarenessEntry } from './messages.ts';

export interface AwarenessLimits {
	clientsPerConnection: number;
	bytesPerConnection: number;
}

export const awarenessLimits: AwarenessLimits = {
	clientsPerConnection: limits.pad.awarenessClientsPerConnection,
	bytesPerConnection: limits.pad.awarenessBytesPerConnection
};

/**
 * Another instance, as the owner of the awareness clients it relayed (its
 * local peers' clients): judged like a connection, with its own bounds.
 */
export class RemoteInstance {
	readonly instanceId: string;
	constructor(instanceId: string) {
		this.instanceId = instanceId;
	}
}

export const remoteAwarenessLimits: AwarenessLimits = {
	clientsPerConnection: limits.clusterPad.awarenessClientsPerInstance,
	bytesPerConnection: limits.clusterPad.awarenessBytesPerInstance
};

/** Who owns which awareness client, and how many bytes of state each holds now. */
export class AwarenessLedger<Owner> {
	readonly owners = new Map<number, Owner>();
	private readonly sizes = new Map<number, number>();

	/** Records what an applied update left (null state: the client is gone). */
	set(id: number, owner: Owner, bytes: number | null): void {
		if (bytes === null) return this.forget(id);
		this.owners.set(id, owner);
		this.sizes.set(id, bytes);
	}

	forget(id: number): void {
		this.owners.delete(id);
		this.sizes.delete(id);
	}

	/** The ids a connection owns, with their state bytes. */
	heldBy(owner: Owner): Map<number, number> {
		const held = new Map<number, number>();
		for (const [id, o] of this.owners) if (o === owner) held.set(id, this.sizes.get(id) ?? 0);
		return held;
	}
}

export type AwarenessVerdict =
	| { ok: true; entries: AwarenessEntry[]; rewritten: boolean }
	| { ok: false; code: number; reason: string; log: string };

const refused = (code: number, reason: string, log: string): AwarenessVerdict => ({ ok: false, code, reason, log });

/** A state with every server-owned key removed (`state` is JSON text); null when it is not JSON. */
function withoutServerKeys(state: string): string | null {
	let parsed: unknown;
	try {
		parsed = JSON.parse(state);
	} catch {
		return null;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return state;
	const keys = Object.keys(parsed);
	if (!keys.some(isServerOwnedKey)) return state;
	const kept: Record<string, unknown> = {};
	for (const k of keys) if (!isServerOwnedKey(k)) kept[k] = (parsed as Record<string, unknown>)[k];
	return JSON.stringify(kept);
}

/**
 * The entries of `from`'s awareness update that may be applied (others are
 * dropped silently: stock clients echo everyone's states back), or why the
 * connection must be closed.
 */
export function judgeAwareness<Owner>(entries: AwarenessEntry[], from: Owner, ledger: AwarenessLedger<Owner>, bounds: AwarenessLimits = awarenessLimits): AwarenessVerdict {
	const held = ledger.heldBy(from);
	const out: AwarenessEntry[] = [];
	let rewritten = false;
	for (const e of entries) {
		if (e.id === SERVER_AWARENESS_ID) {
			rewritten = true;
			continue;
		}
		const owner = ledger.owners.get(e.id);
		if (owner !== undefined && owner !== from) {
			rewritten = true;
			continue;
		}
		// Judged before parsing, so a huge state costs no JSON work.
		if (e.state.length > bounds.bytesPerConnection) {
			return refused(CloseCode.updateRejected, 'Your presence information is too large.', 'pad awareness state over the per-connection bytes');
		}
		const state = e.state === 'null' ? e.state : withoutServerKeys(e.state);
		if (state === null) return refused(CloseCode.badMessage, 'The awareness state is not JSON.', 'pad awareness state not JSON');
		if (state !== e.state) rewritten = true;
		if (state === 'null') held.delete(e.id);
		else held.set(e.id, state.length);
		out.push(state === e.state ? e : { ...e, state });
	}
	if (held.size > bounds.clientsPerConnection) {
		return refused(CloseCode.updateRejected, 'Too many presence entries from one connection.', 'pad awareness clients over the per-connection limit');
	}
	let bytes = 0;
	for (const b of held.values()) bytes += b;
	if (bytes > bounds.bytesPerConnection) {
		return refused(CloseCode.updateRejected, 'Your presence information is too large.', 'pad awareness bytes over the per-connection limit');
	}
	return { ok: true, entries: out, rewritten };
}
