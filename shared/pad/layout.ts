/**
 * The structure of a session's pad documents, and typed ways to read and
 * change them. The browser, the server (carrying actions over, the summary)
 * and the tests all go through these functions, so the Y.Doc layout is
 * written down in one place.
 *
 * Shared document (`session.<id>.shared`):
 *   actions  Y.Array<Y.Map>  agreed actions of this session, in agreed order
 *                            (each may name `goalId`, a goal of the contract in force)
 *   carried  Y.Array<Y.Map>  "From last time": open actions of earlier sessions,
 *                            copied in when this session's pad is first opened;
 *                            their status here is what this session decided
 *   learning Y.Array<Y.Map>  learning points
 *   notes    Y.XmlFragment   rich-text notes (Tiptap/ProseMirror schema)
 *   meta     Y.Map           bookkeeping (which sessions were carried over)
 * Private document (`session.<id>.private`):
 *   notes    Y.XmlFragment   the coach's own notes
 */
import * as Y from 'yjs';
import type { EngagementRole } from '../domain.ts';

const ACTIONS = 'actions';
const CARRIED = 'carried';
const LEARNING = 'learning';
export const NOTES = 'notes';

export type ActionStatus = 'open' | 'done' | 'dropped';
export const ACTION_STATUSES: readonly ActionStatus[] = ['open', 'done', 'dropped'];

/** Who committed to the action: the coach, one named coachee, or both sides. */
export type ActionOwner = EngagementRole | 'both';

export interface Action {
	id: string;
	text: string;
	owner: ActionOwner;
	/** The coachee's user id when owner is 'coachee' (group engagements name one). */
	ownerUserId: string | null;
	/** Due date as YYYY-MM-DD, or null. */
	due: string | null;
	status: ActionStatus;
	/** The contract goal it serves (a goal id of the contract in force), or null. */
	goalId: string | null;
	createdBy: string;
	createdAt: number;
	statusChangedBy: string | null;
	statusChangedAt: number | null;
}

/** An open action of an earlier session, brought back for review. */
export interface CarriedAction extends Action {
	fromSessionId: string;
	fromSessionNumber: number;
	/** The owner's word on it between sessions (from the engagement page), if any. */
	betweenComment?: string | null;
	betweenBy?: string | null;
	betweenAt?: number | null;
}

export interface LearningPoint {
	id: string;
	text: string;
	createdBy: string;
	createdAt: number;
}

/** Random id for list items; works in insecure browser contexts too (no randomUUID). */
function itemId(): string {
	const bytes = new Uint8Array(9);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
}

export const actionsOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>(ACTIONS);
export const carriedOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>(CARRIED);
export const learningOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>(LEARNING);
export const notesOf = (doc: Y.Doc) => doc.getXmlFragment(NOTES);

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const status = (v: unknown): ActionStatus => (ACTION_STATUSES.includes(v as ActionStatus) ? (v as ActionStatus) : 'open');
/** Goal ids follow the contract's own rule (shared/contract/body.ts); anything else reads as no goal. */
const goalId = (v: unknown): string | null => (typeof v === 'string' && /^[a-z0-9-]{1,40}$/.test(v) ? v : null);
const owner = (v: unknown): ActionOwner => (v === 'coach' || v === 'coachee' || v === 'both' ? v : 'both');

// Documents come from clients: every read tolerates missing or odd fields.
function readAction(m: Y.Map<unknown>): Action {
	return {
		id: str(m.get('id')),
		text: str(m.get('text')),
		owner: owner(m.get('owner')),
		ownerUserId: str(m.get('ownerUserId')) || null,
		due: /^\d{4}-\d{2}-\d{2}$/.test(str(m.get('due'))) ? str(m.get('due')) : null,
		status: status(m.get('status')),
		goalId: goalId(m.get('goalId')),
		createdBy: str(m.get('createdBy')),
		createdAt: num(m.get('createdAt')) ?? 0,
		statusChangedBy: str(m.get('statusChangedBy')) || null,
		statusChangedAt: num(m.get('statusChangedAt'))
	};
}

function readCarried(m: Y.Map<unknown>): CarriedAction {
	return {
		...readAction(m),
		fromSessionId: str(m.get('fromSessionId')),
		fromSessionNumber: num(m.get('fromSessionNumber')) ?? 0,
		betweenComment: str(m.get('betweenComment')) || null,
		betweenBy: str(m.get('betweenBy')) || null,
		betweenAt: num(m.get('betweenAt'))
	};
}

function readLearning(m: Y.Map<unknown>): LearningPoint {
	return { id: str(m.get('id')), text: str(m.get('text')), createdBy: str(m.get('createdBy')), createdAt: num(m.get('createdAt')) ?? 0 };
}

const maps = (a: Y.Array<Y.Map<unknown>>) => a.toArray().filter((v): v is Y.Map<unknown> => v instanceof Y.Map);

export const readActions = (doc: Y.Doc): Action[] => maps(actionsOf(doc)).map(readAction);
export const readCarriedActions = (doc: Y.Doc): CarriedAction[] => maps(carriedOf(doc)).map(readCarried);
export const readLearningPoints = (doc: Y.Doc): LearningPoint[] => maps(learningOf(doc)).map(readLearning);

/** Open actions a later session should review: this session's own, and carried ones still open. */
export function openActionsToCarry(doc: Y.Doc, sessionId: string, sessionNumber: number): CarriedAction[] {
	const own = readActions(doc)
		.filter((a) => a.status === 'open' && a.text.trim() !== '')
		.map((a) => ({ ...a, fromSessionId: sessionId, fromSessionNumber: sessionNumber }));
	const still = readCarriedActions(doc).filter((a) => a.status === 'open');
	return [...still, ...own];
}

function toMap(fields: Record<string, unknown>): Y.Map<unknown> {
	const m = new Y.Map<unknown>();
	for (const [k, v] of Object.entries(fields)) if (v !== undefined) m.set(k, v);
	return m;
}

export function newAction(by: string, fields: Partial<Pick<Action, 'text' | 'owner' | 'ownerUserId' | 'due' | 'goalId'>> = {}): Action {
	return {
		id: itemId(),
		text: fields.text ?? '',
		owner: fields.owner ?? 'both',
		ownerUserId: fields.ownerUserId ?? null,
		due: fields.due ?? null,
		status: 'open',
		goalId: fields.goalId ?? null,
		createdBy: by,
		createdAt: Date.now(),
		statusChangedBy: null,
		statusChangedAt: null
	};
}

export function insertAction(doc: Y.Doc, action: Action, index = actionsOf(doc).length, origin?: unknown): void {
	doc.transact(() => actionsOf(doc).insert(index, [toMap({ ...action })]), origin);
}

function findIndex(list: Y.Array<Y.Map<unknown>>, id: string): number {
	const items = list.toArray();
	return items.findIndex((m) => m instanceof Y.Map && m.get('id') === id);
}

/** Changes some fields of an item of `list` (actions or carried); a status change records who and when. */
export function updateItem(doc: Y.Doc, list: Y.Array<Y.Map<unknown>>, id: string, patch: Record<string, unknown>, by: string, origin?: unknown): boolean {
	const i = findIndex(list, id);
	if (i < 0) return false;
	const m = list.get(i);
	doc.transact(() => {
		for (const [k, v] of Object.entries(patch)) {
			if (m.get(k) === v) continue;
			m.set(k, v);
			if (k === 'status') {
				m.set('statusChangedBy', by);
				m.set('statusChangedAt', Date.now());
			}
		}
	}, origin);
	return true;
}

/**
 * Moves an item to another position. Y.Array has no move, so the item is
 * re-inserted with the same id and fields in one transaction.
 */
export function moveItem(doc: Y.Doc, list: Y.Array<Y.Map<unknown>>, from: number, to: number, origin?: unknown): void {
	if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return;
	doc.transact(() => {
		const fields = list.get(from).toJSON() as Record<string, unknown>;
		list.delete(from, 1);
		list.insert(to, [toMap(fields)]);
	}, origin);
}

export function deleteItem(doc: Y.Doc, list: Y.Array<Y.Map<unknown>>, id: string, origin?: unknown): boolean {
	const i = findIndex(list, id);
	if (i < 0) return false;
	doc.transact(() => list.delete(i, 1), origin);
	return true;
}

export function insertLearning(doc: Y.Doc, by: string, text = '', origin?: unknown): LearningPoint {
	const point: LearningPoint = { id: itemId(), text, createdBy: by, createdAt: Date.now() };
	doc.transact(() => learningOf(doc).push([toMap({ ...point })]), origin);
	return point;
}

/**
 * Adds carried-over actions not yet present (matched by the original
 * action's id). One already present takes a newer update made between
 * sessions (the session's pad was opened before the owner updated it on the
 * engagement page), unless this session changed its status after that
 * update: what the session decided stands. Returns how many were added.
 */
export function addCarried(doc: Y.Doc, actions: CarriedAction[], origin?: unknown): number {
	const list = carriedOf(doc);
	const have = new Map(list.toArray().flatMap((m, i) => (m instanceof Y.Map ? [[m.get('id') as string, i] as const] : [])));
	const fresh = actions.filter((a) => !have.has(a.id));
	const newer = actions.flatMap((a) => {
		const i = have.get(a.id);
		if (i === undefined || !a.betweenAt) return [];
		const m = list.get(i);
		const seen = Math.max(Number(m.get('betweenAt') ?? 0), Number(m.get('statusChangedAt') ?? 0));
		return a.betweenAt > seen ? [{ m, a }] : [];
	});
	if (fresh.length === 0 && newer.length === 0) return 0;
	doc.transact(() => {
		// An action updated between sessions arrives with that status; the rest start open for review.
		if (fresh.length > 0) list.push(fresh.map((a) => toMap(a.betweenAt ? { ...a } : { ...a, status: 'open', statusChangedBy: null, statusChangedAt: null })));
		for (const { m, a } of newer) {
			for (const k of ['status', 'statusChangedBy', 'statusChangedAt', 'betweenComment', 'betweenBy', 'betweenAt'] as const) if (a[k] !== undefined) m.set(k, a[k]);
		}
	}, origin);
	return fresh.length;
}
