/**
 * A person's inbox as tests read it: the account emails (sign-up links,
 * resets, confirmations) a test server sent to an address, from the test
 * SMTP server when the server sends over SMTP, else from the server's local
 * outbox directory. Links are followed through the real pages, so signing
 * up in a test confirms the address exactly as a person does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { testServers } from './server.ts';
import { smtpServers } from './smtp.ts';

const seen = new Set<string>();
/** Outbox files parsed once each (summaries are large; the mailbox is read every 50 ms while waiting). */
const parsed = new Map<string, Promise<ParsedMail | null>>();
const recipients = (m: ParsedMail) => [m.to].flat().flatMap((a) => a?.value ?? []).map((v) => v.address?.toLowerCase());

async function accountMailOf(base: string): Promise<ParsedMail[]> {
	const server = testServers.get(base);
	if (!server) throw new Error(`no test server at ${base}: start it with startServer()`);
	if (server.env.SMTP_URL) {
		const smtp = smtpServers.get(server.env.SMTP_URL);
		if (!smtp) throw new Error(`the server sends to ${server.env.SMTP_URL}, which is not a test SMTP server of this process`);
		return smtp.accountMail;
	}
	const dir = path.join(server.dataDir, 'outbox');
	const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
	const mails = await Promise.all(
		files.map((f) => {
			const file = path.join(dir, f);
			let p = parsed.get(file);
			if (!p) parsed.set(file, (p = simpleParser(fs.readFileSync(file)).then((m) => (m.headers.get('x-confidante-mail') === 'account' ? m : null))));
			return p;
		})
	);
	return mails.filter((m): m is ParsedMail => m !== null);
}

/** Account emails to `email` so far (oldest first). */
export async function accountMailTo(base: string, email: string): Promise<ParsedMail[]> {
	const all = await accountMailOf(base);
	return all.filter((m) => recipients(m).includes(email.toLowerCase())).sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
}

/** Waits for a not yet used link to `pathPrefix` (e.g. '/signup/confirm/') mailed to `email`; returns its path. */
export async function linkFor(base: string, email: string, pathPrefix: string, timeoutMs = 15_000): Promise<string> {
	const until = Date.now() + timeoutMs;
	const pattern = new RegExp(`https?://[^\\s/]+(${pathPrefix.replace(/[/]/g, '\\/')}[a-z2-7]+)`, 'g');
	for (;;) {
		for (const m of (await accountMailTo(base, email)).reverse()) {
			for (const match of (m.text ?? '').matchAll(pattern)) {
				const link = match[1]!;
				if (!seen.has(link)) {
					seen.add(link);
					return link;
				}
			}
		}
		if (Date.now() > until) throw new Error(`no ${pathPrefix} link mailed to ${email} within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
