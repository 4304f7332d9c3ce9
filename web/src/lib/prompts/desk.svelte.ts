/**
 * The coach's side of the prompt panel: their own prompts, favourites, the
 * asked list and the card on the coachee's screen, with the search index
 * over the library and their prompts. One per connection, kept while the
 * coach switches tabs, so nothing reloads and no card update is missed.
 * Only the coach's lazily loaded panel imports this (it bundles the library).
 */
import { createPromptSearch, validateCustomPrompt } from '$shared/prompts/index.ts';
import type { Prompt, PromptInputField, PromptSearchIndex } from '$shared/prompts/index.ts';
import type { AskedPrompt, ShownCard } from '$shared/protocol/index.ts';
import type { Result } from '$shared/result.ts';
import type { SessionConnection } from '$lib/session/connection.svelte.ts';

export type FieldErrors = Partial<Record<PromptInputField, string>>;
export type SaveResult = { ok: true; prompt: Prompt } | { ok: false; errors: FieldErrors; message: string };

const desks = new WeakMap<SessionConnection, PromptDeskState>();

/** The desk of this connection, made on first use. */
export function promptDesk(connection: SessionConnection): PromptDeskState {
	let desk = desks.get(connection);
	if (!desk) desks.set(connection, (desk = new PromptDeskState(connection)));
	return desk;
}

export class PromptDeskState {
	readonly connection: SessionConnection;
	status = $state<'loading' | 'ready' | 'failed'>('loading');
	/** A sentence the coach can act on when something did not work. */
	problem = $state<string | null>(null);
	custom = $state.raw<Prompt[]>([]);
	favourites = $state.raw<ReadonlySet<string>>(new Set());
	asked = $state.raw<AskedPrompt[]>([]);
	card = $state.raw<ShownCard | null>(null);
	maxCustom = $state(0);
	/** Bumped whenever the index changes, so searches run again. */
	version = $state(0);
	index: PromptSearchIndex = createPromptSearch();

	constructor(connection: SessionConnection) {
		this.connection = connection;
		const sessionId = connection.sessionId;
		connection.onJoined(() => void this.load());
		connection.socket.on('prompts:card-state', (m) => {
			if (m.sessionId === sessionId) this.card = m.card;
		});
		connection.socket.on('prompts:changed', (m) => {
			if (m.sessionId === sessionId) void this.load();
		});
	}

	get sessionId(): string {
		return this.connection.sessionId;
	}

	async load(): Promise<void> {
		const r = await this.connection.request('prompts:load', { sessionId: this.sessionId });
		if (!r.ok) {
			this.problem = r.error.message;
			if (this.status === 'loading') this.status = 'failed';
			return;
		}
		const { custom, favourites, asked, card, maxCustom } = r.value;
		this.index = createPromptSearch(custom, { favourites });
		this.custom = custom;
		this.favourites = new Set(favourites);
		this.asked = asked;
		this.card = card;
		this.maxCustom = maxCustom;
		this.status = 'ready';
		this.problem = null;
		this.version++;
	}

	askedOf(promptId: string): AskedPrompt | undefined {
		return this.asked.find((a) => a.promptId === promptId);
	}

	/** Checks here first (the same rules as the server), so mistakes show at once. */
	async save(input: { text: string; phase: string; themes: string[]; mentoring: string }, editing?: string): Promise<SaveResult> {
		const others = this.custom.filter((p) => p.id !== editing);
		const local = validateCustomPrompt(input, others);
		if (!local.ok) return { ok: false, errors: local.errors, message: Object.values(local.errors)[0] ?? 'Check the prompt.' };
		const r = editing
			? await this.connection.request('prompts:update', { sessionId: this.sessionId, id: editing, prompt: input })
			: await this.connection.request('prompts:create', { sessionId: this.sessionId, prompt: input });
		if (!r.ok) return { ok: false, errors: r.error.fields ?? {}, message: r.error.message };
		const prompt = r.value;
		if (editing) {
			this.custom = this.custom.map((p) => (p.id === editing ? prompt : p));
			this.index.updateCustom(prompt);
		} else {
			this.custom = [...this.custom, prompt];
			this.index.addCustom(prompt);
		}
		this.version++;
		return { ok: true, prompt };
	}

	async remove(id: string): Promise<Result<true>> {
		const r = await this.connection.request('prompts:delete', { sessionId: this.sessionId, id });
		if (r.ok || r.error.code === 'not_found') {
			this.custom = this.custom.filter((p) => p.id !== id);
			if (this.index.has(id)) this.index.removeCustom(id);
			if (this.favourites.has(id)) this.favourites = new Set([...this.favourites].filter((f) => f !== id));
			this.version++;
		}
		return r;
	}

	async toggleFavourite(id: string): Promise<Result<true>> {
		const favourite = !this.favourites.has(id);
		const r = await this.connection.request('prompts:favourite', { sessionId: this.sessionId, id, favourite });
		if (r.ok) {
			const next = new Set(this.favourites);
			if (favourite) next.add(id);
			else next.delete(id);
			this.favourites = next;
			this.index.setFavourite(id, favourite);
			this.version++;
		}
		return r;
	}

	async ask(id: string): Promise<Result<AskedPrompt>> {
		const r = await this.connection.request('prompts:ask', { sessionId: this.sessionId, id });
		if (r.ok && !this.askedOf(id)) this.asked = [...this.asked, r.value];
		return r;
	}

	async unask(id: string): Promise<Result<true>> {
		const r = await this.connection.request('prompts:unask', { sessionId: this.sessionId, id });
		if (r.ok || r.error.code === 'not_found') this.asked = this.asked.filter((a) => a.promptId !== id);
		return r;
	}

	async show(id: string): Promise<Result<ShownCard>> {
		const r = await this.connection.request('prompts:show', { sessionId: this.sessionId, id });
		if (r.ok) this.card = r.value;
		return r;
	}

	async withdraw(): Promise<Result<true>> {
		const r = await this.connection.request('prompts:withdraw', { sessionId: this.sessionId });
		if (r.ok || r.error.code === 'not_found') this.card = null;
		return r;
	}
}
