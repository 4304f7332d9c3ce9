/**
 * A real SMTP server inside the test process (smtp-server), whose received
 * messages are parsed with mailparser. Tests switch its behaviour to refuse,
 * stall or reject single recipients.
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

/** Every test SMTP server of this process by its URL, for the mailbox helper (tests/helpers/mailbox.ts). */
export const smtpServers = new Map<string, TestSmtp>();

export type SmtpMode = 'accept' | 'stall' | 'refuse-temporarily' | 'refuse';

export interface TestSmtp {
	url: string;
	port: number;
	received: ParsedMail[];
	mode: SmtpMode;
	/** Recipients refused at RCPT TO with 550. */
	rejectRecipients: Set<string>;
	/** Messages whose DATA is being held by 'stall'. */
	stalled: number;
	/** Every message accepted, kept in `received` or not. */
	accepted: number;
	/**
	 * Account emails (sign-up links, resets, confirmations; header
	 * X-Confidante-Mail: account), kept apart from `received` so that tests
	 * counting coaching mail are not disturbed by people signing up.
	 */
	accountMail: ParsedMail[];
	/** Resolves when `n` messages have been received in all. */
	waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
	close(): Promise<void>;
}

/** `keep`: which accepted messages `received` holds (others, e.g. contract emails of the test's set-up, are accepted and dropped). */
export async function startSmtp(opts: { keep?: (m: ParsedMail) => boolean } = {}): Promise<TestSmtp> {
	const waiters: Array<{ n: number; resolve: (m: ParsedMail[]) => void }> = [];
	const t: TestSmtp = {
		url: '',
		port: 0,
		received: [],
		mode: 'accept',
		rejectRecipients: new Set(),
		stalled: 0,
		accepted: 0,
		accountMail: [],
		waitFor(n, timeoutMs = 15_000) {
			if (t.received.length >= n) return Promise.resolve(t.received);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`expected ${n} messages, got ${t.received.length}`)), timeoutMs);
				waiters.push({ n, resolve: (m) => (clearTimeout(timer), resolve(m)) });
			});
		},
		close: () => new Promise((resolve) => { smtpServers.delete(t.url); server.close(() => resolve()); })
	};
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onRcptTo(address: SMTPServerAddress, _session, cb) {
			if (t.rejectRecipients.has(address.address)) return cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
			cb();
		},
		onData(stream, _session, cb) {
			const mode = t.mode;
			if (mode === 'refuse-temporarily') {
				stream.resume();
				stream.on('end', () => cb(Object.assign(new Error('Try again later'), { responseCode: 451 })));
				return;
			}
			if (mode === 'refuse') {
				stream.resume();
				stream.on('end', () => cb(Object.assign(new Error('Message refused'), { responseCode: 554 })));
				return;
			}
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', async () => {
				if (mode === 'stall') {
					t.stalled++;
					return; // never answers: the sender's socket timeout or death ends it
				}
				const parsed = await simpleParser(Buffer.concat(chunks));
				t.accepted++;
				if (parsed.headers.get('x-confidante-mail') === 'account') t.accountMail.push(parsed);
				else if (opts.keep?.(parsed) ?? true) t.received.push(parsed);
				cb();
				for (const w of [...waiters]) {
					if (t.received.length >= w.n) {
						waiters.splice(waiters.indexOf(w), 1);
						w.resolve(t.received);
					}
				}
			});
		}
	});
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	t.port = (server.server.address() as AddressInfo).port;
	t.url = `smtp://127.0.0.1:${t.port}`;
	smtpServers.set(t.url, t);
	return t;
}
