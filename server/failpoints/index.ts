/**
 * Fault injection, in one place: named points in feature code where a test
 * can make the server fail the way a real fault would (a write that throws,
 * a process killed at the worst moment, a slow step). Every point does
 * nothing unless the test environment arms it, with
 * `CONFIDANTE_FAILPOINTS=name=action[,name=action...]` (read and validated
 * with the rest of the configuration, refused when NODE_ENV=production) or,
 * inside a test process, with `armFailpoints`.
 *
 * Actions: `throw` (the step fails with an error naming the point), `kill`
 * (SIGKILL, as a crash or the OOM killer would), `delay:MS` (async points
 * only). `*N` after an action fires it N times, then the point is off again,
 * e.g. `pad.store.append=throw*3`.
 */

/** Every failpoint, where it sits and what arming it imitates. `async`: awaited, so it may also delay. */
export const FAILPOINTS = {
	'summary.afterEndingClaimed': { async: true, where: "after an instance took the lease on a session's ending and before it completes it (another instance must finish it, or wait for it)" },
	'summary.afterEndMarked': { async: true, where: "after a session's ending is recorded and before its summary is written (the next start must finish it)" },
	'pad.store.append': { async: false, where: 'before pad updates are written (journal on SQLite, insert on PostgreSQL): saving fails, as with a full disk or a lost database' },
	'pad.store.compact': { async: false, where: "inside a pad compaction's transaction, after the snapshot is written and before the updates it folds are deleted" },
	'closing.afterReportStored': { async: true, where: "in the closing report job, after the report is stored and before its emails are queued (the job's next run must send each once)" },
	'pad.store.recover': { async: false, where: "inside crash recovery's transaction on SQLite, after the journal's updates are inserted and before commit" }
} as const;

export type FailpointName = keyof typeof FAILPOINTS;

export type FailpointAction = { kind: 'throw' } | { kind: 'kill' } | { kind: 'delay'; ms: number };

export interface ArmedFailpoint {
	action: FailpointAction;
	/** Times left to fire; Infinity when no `*N` was given. */
	times: number;
}

export type FailpointPlan = Map<FailpointName, ArmedFailpoint>;

export class FailpointError extends Error {
	readonly failpoint: FailpointName;
	constructor(name: FailpointName) {
		super(`failpoint ${name} fired (armed by CONFIDANTE_FAILPOINTS)`);
		this.name = 'FailpointError';
		this.failpoint = name;
	}
}

const isName = (n: string): n is FailpointName => Object.hasOwn(FAILPOINTS, n);

function parseAction(name: FailpointName, text: string): ArmedFailpoint {
	const m = /^(throw|kill|delay:(\d+))(?:\*(\d+))?$/.exec(text);
	if (!m) throw new Error(`${name}: "${text}" is not an action (throw, kill or delay:MS, optionally followed by *N)`);
	const times = m[3] === undefined ? Infinity : Number(m[3]);
	if (m[2] !== undefined) {
		if (!FAILPOINTS[name].async) throw new Error(`${name}: delay needs an awaited point; this one can only throw or kill`);
		return { action: { kind: 'delay', ms: Number(m[2]) }, times };
	}
	return { action: { kind: m[1] as 'throw' | 'kill' }, times };
}

/** `name=action,...` as a plan; throws a message naming what is wrong (an unknown point, a bad action). */
export function parseFailpoints(spec: string): FailpointPlan {
	const plan: FailpointPlan = new Map();
	for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
		const eq = part.indexOf('=');
		const name = eq < 0 ? part : part.slice(0, eq);
		if (!isName(name)) throw new Error(`"${name}" is not a failpoint; known: ${Object.keys(FAILPOINTS).join(', ')}`);
		plan.set(name, parseAction(name, eq < 0 ? '' : part.slice(eq + 1)));
	}
	return plan;
}

let armed: FailpointPlan = new Map();

/** Arms the plan's points (replacing what was armed); an empty plan turns them all off. */
export function armFailpoints(plan: FailpointPlan | string): void {
	// Copied: firing counts down, and the configuration's plan stays as it was read.
	armed = new Map([...(typeof plan === 'string' ? parseFailpoints(plan) : plan)].map(([name, point]) => [name, { ...point }]));
}

export function disarmFailpoints(): void {
	armed = new Map();
}

function fire(name: FailpointName): FailpointAction | null {
	const point = armed.get(name);
	if (!point) return null;
	if (--point.times <= 0) armed.delete(name);
	if (point.action.kind === 'kill') process.kill(process.pid, 'SIGKILL');
	if (point.action.kind === 'throw') throw new FailpointError(name);
	return point.action;
}

/** A synchronous point: throws or kills when armed, else nothing (one map lookup when nothing is armed). */
export function failpoint(name: FailpointName): void {
	if (armed.size > 0) fire(name);
}

/** An awaited point: may also delay. */
export async function failpointAsync(name: FailpointName): Promise<void> {
	if (armed.size === 0) return;
	const action = fire(name);
	if (action?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
}
