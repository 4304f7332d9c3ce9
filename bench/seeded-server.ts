// The real server for benchmarks (bench:pad, soak): a fresh SQLite store
// seeded straight with S coaching sessions (a coach and a coachee each, with
// sign-in cookies), the server started on it as its own process, and what
// can be read of that process from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../server/store/index.ts';
import { generateToken, hashToken, newId } from '../server/auth/tokens.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
	return new Promise((resolve, reject) => {
		let buffer = '';
		const timer = setTimeout(() => reject(new Error(`no "${pattern}" from server:\n${buffer.slice(-2000)}`)), 60_000);
		const on = (d: Buffer) => {
			buffer += d.toString();
			const m = pattern.exec(buffer);
			if (m) {
				clearTimeout(timer);
				child.stdout!.off('data', on);
				child.stdout!.resume();
				resolve(m);
			}
		};
		child.stdout!.on('data', on);
		child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
		child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${buffer.slice(-2000)}`)));
	});
}

/** Coaches, coachees, engagements and sessions written straight to a fresh store (SQLite in dataDir, or the PostgreSQL database at databaseUrl), with sign-in cookies. */
export async function seed(dataDir: string, sessions: number, databaseUrl?: string): Promise<{ cookies: string[]; sessionIds: string[] }> {
	const store = await openStore({ dataDir, databaseUrl });
	const now = Date.now();
	const cookies: string[] = [];
	const sessionIds: string[] = [];
	const users = [];
	const authSessions = [];
	const engagements = [];
	const members = [];
	const rows = [];
	for (let s = 0; s < sessions; s++) {
		const coach = newId();
		const coachee = newId();
		const engagement = newId();
		const session = newId();
		for (const [id, name] of [[coach, 'Coach'], [coachee, 'Coachee']] as const) {
			users.push({ id, email: `${id}@bench.example`, name: `${name} ${s}`, password_hash: 'bench', created_at: now });
			const token = generateToken();
			authSessions.push({ id: hashToken(token), user_id: id, expires_at: now + 86_400_000 });
			cookies.push(`confidante_session=${token}`);
		}
		engagements.push({ id: engagement, kind: 'coaching' as const, title: `Bench ${s}`, goals: 'bench', planned_sessions: 6, frequency: null, created_by: coach, created_at: now });
		members.push({ engagement_id: engagement, user_id: coach, role: 'coach' as const, joined_at: now });
		members.push({ engagement_id: engagement, user_id: coachee, role: 'coachee' as const, joined_at: now });
		rows.push({ id: session, engagement_id: engagement, kind: 'session' as const, number: 1, scheduled_at: now, duration_minutes: 60, status: 'scheduled' as const, started_at: null, ended_at: null, created_at: now, sequence: 0, late_change: 0 });
		sessionIds.push(session);
	}
	const chunks = <T>(a: T[]) => Array.from({ length: Math.ceil(a.length / 100) }, (_, i) => a.slice(i * 100, i * 100 + 100));
	for (const c of chunks(users)) await store.db.insertInto('users').values(c).execute();
	for (const c of chunks(authSessions)) await store.db.insertInto('auth_sessions').values(c).execute();
	for (const c of chunks(engagements)) await store.db.insertInto('engagements').values(c).execute();
	for (const c of chunks(members)) await store.db.insertInto('engagement_members').values(c).execute();
	for (const c of chunks(rows)) await store.db.insertInto('coaching_sessions').values(c).execute();
	await store.close();
	return { cookies, sessionIds };
}

// The bench measures the default set-up (SQLite), whatever the shell has set.
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const { DATABASE_URL: _, ...rest } = env;
	return rest;
}

export interface SeededServer {
	child: ChildProcess;
	/** The pad endpoint, ws://127.0.0.1:<port>/pad. */
	padUrl: string;
	/** http://127.0.0.1:<port>. */
	url: string;
	/** Two per session: the coach's, then the coachee's. */
	cookies: string[];
	sessionIds: string[];
}

/** Seeds `sessions` sessions and starts the server on them; `nodeArgs` go to the server's node (e.g. --cpu-prof, --import). */
export async function startSeededServer(sessions: number, opts: { nodeArgs?: string[]; env?: Record<string, string>; prefix?: string } = {}): Promise<SeededServer> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'confidante-bench-'));
	const { cookies, sessionIds } = await seed(dataDir, sessions);
	// A few tries: on a shared checkout someone may be rebuilding the web app right now.
	for (let attempt = 1; ; attempt++) {
		const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(ROOT, 'server', 'main.ts')], {
			cwd: ROOT,
			env: { ...withoutDatabaseUrl(process.env), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...opts.env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		try {
			const m = await waitForLine(child, /"port":(\d+).*listening/);
			child.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
			// Warnings and errors (saving problems, refused clients) go to the bench's stderr.
			child.stdout!.on('data', (d: Buffer) => {
				for (const line of d.toString().split('\n')) if (/"level":(40|50|60)/.test(line)) process.stderr.write(line.slice(0, 400) + '\n');
			});
			return { child, padUrl: `ws://127.0.0.1:${m[1]}/pad`, url: `http://127.0.0.1:${m[1]}`, cookies, sessionIds };
		} catch (err) {
			if (attempt >= 5) throw err;
			console.error(`server did not start (attempt ${attempt}); retrying in 5 s`);
			await sleep(5000);
		}
	}
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s on Linux)
}

export function rssMb(pid: number): number {
	const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) / 1024 : 0;
}
