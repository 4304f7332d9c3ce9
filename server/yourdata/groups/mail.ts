/** Mail sent to the person: the queue's record and, with the local outbox, the message files. */
import type { Transaction } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { ExportFile, TableGroup } from '../registry.ts';

/** The record a mail is about comes first in its subject id ("<id>", "<id>|…" or "<id>:…"). */
const subjectOf = (subjectId: string) => subjectId.split(/[|:]/)[0] ?? subjectId;

/** Every id an engagement's mail can be about: the engagement, its sessions, summaries, contract versions, sponsor updates and proposal. */
async function subjectsOf(trx: Transaction<Database>, engagementId: string, sessionIds: string[]): Promise<Set<string>> {
	const pick = async (table: 'summaries' | 'contracts' | 'sponsor_updates' | 'proposals') =>
		(await trx.selectFrom(table).select('id').where('engagement_id', '=', engagementId).execute()).map((r) => r.id);
	return new Set([engagementId, ...sessionIds, ...(await pick('summaries')), ...(await pick('contracts')), ...(await pick('sponsor_updates')), ...(await pick('proposals'))]);
}

async function dropJobs(trx: Transaction<Database>, jobs: { id: string; outbox_file: string | null }[], outboxFiles: string[]) {
	for (const j of jobs) if (j.outbox_file) outboxFiles.push(j.outbox_file);
	const jobIds = jobs.map((j) => j.id);
	for (let i = 0; i < jobIds.length; i += 500) await trx.deleteFrom('mail_jobs').where('id', 'in', jobIds.slice(i, i + 500)).execute();
}

export const mailGroup: TableGroup = {
	name: 'mail',
	exports: ['mail_jobs'],
	erases: ['mail_jobs'],
	sees: 'Everyone: the messages sent to them (subject, when, delivery) and, where the app keeps them, the messages themselves as .eml files. Never mail to anyone else.',

	async export({ db, person, sources }) {
		const jobs = await db.selectFrom('mail_jobs').select(['id', 'kind', 'to_address', 'status', 'subject', 'created_at', 'sent_at', 'outbox_file']).where('user_id', '=', person.id).orderBy('created_at').execute();
		const files: ExportFile[] = [{ path: 'mail/index.json', json: jobs.map(({ outbox_file: file, ...j }) => ({ ...j, file: file ? `${j.id}.eml` : null })) }];
		for (const j of jobs) {
			const eml = j.outbox_file ? await sources.mailFile(j.id, person.id) : null;
			if (eml) files.push({ path: `mail/${j.id}.eml`, text: eml });
		}
		return files;
	},

	async eraseEngagement({ trx, engagementId, sessionIds, after }) {
		const subjects = [...(await subjectsOf(trx, engagementId, sessionIds))];
		// Whoever it went to: a scoping link or a decline went to people without an account too.
		for (let i = 0; i < subjects.length; i += 100) {
			const batch = subjects.slice(i, i + 100);
			const jobs = await trx
				.selectFrom('mail_jobs')
				.select(['id', 'subject_id', 'outbox_file'])
				.where((eb) => eb.or(batch.flatMap((id) => [eb('subject_id', '=', id), eb('subject_id', 'like', `${id}|%`), eb('subject_id', 'like', `${id}:%`)])))
				.execute();
			await dropJobs(trx, jobs.filter((j) => batch.includes(subjectOf(j.subject_id))), after.outboxFiles);
		}
	},

	async eraseAccount({ trx, person, after }) {
		const jobs = await trx.selectFrom('mail_jobs').select(['id', 'outbox_file']).where((eb) => eb.or([eb('user_id', '=', person.id), eb('to_address', '=', person.email)])).execute();
		await dropJobs(trx, jobs, after.outboxFiles);
	}
};
