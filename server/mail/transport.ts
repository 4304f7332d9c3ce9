/**
 * Where a message goes: an SMTP server (SMTP_URL), or, with none configured,
 * a `.eml` file under DATA_DIR/outbox that the app's local mailbox page
 * lists. Either way a message is fully built (MIME) by nodemailer, so what a
 * person reads in the outbox is exactly what SMTP would have carried.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { limits } from '../config/index.ts';

export interface Sent {
	/** The outbox file name when written locally, else null. */
	outboxFile: string | null;
	response: string;
}

export interface MailTransport {
	kind: 'smtp' | 'outbox';
	/** Sends one message; `key` names the outbox file, so a retry overwrites instead of duplicating. */
	send(message: Mail.Options, key: string): Promise<Sent>;
	/** Deletes a local outbox file (its job was erased while it was being sent); nothing to do for SMTP. */
	discard(outboxFile: string): void;
	close(): void;
}

export function smtpTransport(url: string, timeoutMs: number | null = null): MailTransport {
	const t = nodemailer.createTransport({
		url,
		connectionTimeout: timeoutMs ?? limits.mail.connectionTimeoutMs,
		greetingTimeout: timeoutMs ?? limits.mail.greetingTimeoutMs,
		socketTimeout: timeoutMs ?? limits.mail.socketTimeoutMs
	});
	return {
		kind: 'smtp',
		async send(message) {
			const info = await t.sendMail(message);
			return { outboxFile: null, response: info.response };
		},
		discard() {},
		close: () => t.close()
	};
}

export function outboxTransport(dir: string): MailTransport {
	const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
	fs.mkdirSync(dir, { recursive: true });
	return {
		kind: 'outbox',
		async send(message, key) {
			const info = await t.sendMail(message);
			const name = `${key}.eml`;
			const tmp = path.join(dir, `.${name}.tmp`);
			// Write then rename: the mailbox never lists half a message.
			await fs.promises.writeFile(tmp, info.message as Buffer);
			await fs.promises.rename(tmp, path.join(dir, name));
			return { outboxFile: name, response: 'written to the local outbox' };
		},
		discard(outboxFile) {
			if (isOutboxName(outboxFile)) fs.rmSync(path.join(dir, outboxFile), { force: true });
		},
		close: () => t.close()
	};
}

/** A readable outbox file, or null for a name that is not one of ours. */
/** Only names the outbox itself gives its files, so no other path is ever read or removed. */
export const isOutboxName = (name: string) => /^[a-z2-7]{10,40}\.eml$/.test(name);

export function readOutboxFile(dir: string, name: string): Buffer | null {
	if (!isOutboxName(name)) return null;
	try {
		return fs.readFileSync(path.join(dir, name));
	} catch {
		return null;
	}
}

/** Whether a failed attempt is worth retrying: SMTP 5xx answers and bad envelopes are final. */
export function isPermanent(err: unknown): boolean {
	const e = err as { responseCode?: number; code?: string };
	if (typeof e.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
	return e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
}

/** A short, person-readable reason for the coach's delivery status. */
export function describeFailure(err: unknown): string {
	const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
	if (e.response) return `The mail server answered: ${e.response.slice(0, 200)}`;
	if (e.code === 'ETIMEDOUT') return 'The mail server did not answer in time.';
	if (e.code === 'ECONNECTION' || e.code === 'ESOCKET') return `Could not reach the mail server (${(e.message ?? '').slice(0, 120)}).`;
	return (e.message ?? String(err)).slice(0, 200);
}
