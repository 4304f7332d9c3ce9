/**
 * Session content for confidentiality tests: the coach writes a note, an
 * action and a private note into a session's pads, joins and ends the
 * session (so its summary and emails exist), and the test then checks that
 * none of these strings reaches someone who must not see them.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { padClient, rawPadSocket, until } from './pad.ts';
import { connect, connected, request } from './socket.ts';
import { insertAction, newAction, notesOf, padName } from '../../shared/pad/index.ts';
import { PROTOCOL_VERSION, clientRequests } from '../../shared/protocol/index.ts';
import type { TestServer } from './server.ts';

const paragraph = (text: string) => {
	const p = new Y.XmlElement('paragraph');
	p.insert(0, [new Y.XmlText(text)]);
	return p;
};

/** Writes `note` and `action` to the shared pad and `privateNote` to the coach's, then ends the session (live for at least `holdMs`); returns the summary id. */
export async function writeAndEndSession(baseUrl: string, coachCookie: string, sessionId: string, content: { note: string; action: string; privateNote: string }, holdMs = 500): Promise<string> {
	const shared = padClient(baseUrl, coachCookie, sessionId, 'shared');
	const priv = padClient(baseUrl, coachCookie, sessionId, 'private');
	await Promise.all([shared.synced(), priv.synced()]);
	notesOf(shared.doc).push([paragraph(content.note)]);
	insertAction(shared.doc, newAction('coach', { text: content.action }));
	notesOf(priv.doc).push([paragraph(content.privateNote)]);
	const coachSocket = connect(baseUrl, coachCookie);
	await connected(coachSocket);
	const joined = await request(coachSocket, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	if (!joined.ok) throw new Error(`coach could not join: ${JSON.stringify(joined)}`);
	// A session booked outside its start window (an introductory meeting days ahead) starts when the coach starts it; one already live answers so.
	await request(coachSocket, 'session:start', { sessionId });
	await until(() => shared.provider.wsconnected && priv.provider.wsconnected, 5000, 'pads connected');
	await new Promise((r) => setTimeout(r, holdMs));
	const ended = await request<{ summaryId: string }>(coachSocket, 'session:end', { sessionId });
	shared.destroy();
	priv.destroy();
	coachSocket.close();
	if (!ended.ok) throw new Error(`session did not end: ${JSON.stringify(ended)}`);
	return ended.value.summaryId;
}

export const has = (text: string, needles: string[]) => needles.filter((n) => text.includes(n));

/**
 * Both pads and the session socket refuse `cookie` before any byte: the pads
 * close, joining is refused, and so is every other request of the protocol
 * (each sent with the session's id). Returns what was let through (nothing,
 * when it holds).
 */
export async function padsAndSocketRefuse(baseUrl: string, cookie: string, sessionId: string, secrets: string[]): Promise<{ closes: number[]; leaked: string[]; joined: boolean; answered: string[] }> {
	const closes: number[] = [];
	const leaked: string[] = [];
	for (const kind of ['shared', 'private'] as const) {
		const raw = await rawPadSocket(baseUrl, cookie, padName(sessionId, kind));
		closes.push((await raw.closed).code);
		leaked.push(...has(Buffer.concat(raw.frames).toString('latin1'), secrets));
	}
	const s = connect(baseUrl, cookie);
	await connected(s);
	const join = await request(s, 'session:join', { sessionId, protocolVersion: PROTOCOL_VERSION });
	const answered: string[] = [];
	for (const name of Object.keys(clientRequests).filter((n) => n !== 'session:join')) {
		const r = await request(s, name, { sessionId, protocolVersion: PROTOCOL_VERSION, promptId: 'x', text: 'x', kind: 'video' });
		if (r.ok) answered.push(name);
		leaked.push(...has(JSON.stringify(r), secrets));
	}
	s.close();
	return { closes, leaked, joined: join.ok, answered };
}

export async function outboxMails(server: TestServer): Promise<ParsedMail[]> {
	const dir = path.join(server.dataDir, 'outbox');
	if (!fs.existsSync(dir)) return [];
	return Promise.all(fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map(async (f) => simpleParser(fs.readFileSync(path.join(dir, f)))));
}

export const addressedTo = (m: ParsedMail, address: string) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((x) => x.address === address));

/** Everything of a message as bytes a reader could see: subject, text, HTML and attachments. */
export const mailText = (m: ParsedMail) => `${m.subject}\n${m.text}\n${m.html || ''}\n${m.attachments.map((a) => a.content.toString('latin1')).join('\n')}`;
