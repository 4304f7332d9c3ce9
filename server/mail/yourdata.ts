/** The mail's part of export and erasure (server/yourdata/registry.ts): what was sent to the person, the queue's record and, with the local outbox, the message files. */
import type { Transaction } from 'kysely';
import type { Database } from '../store/index.ts';
import { subjectOf, type ExportFile, type TableGroup } from '../yourdata/registry.ts';

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

	async eraseEngagement({ trx, subjects: about, after }) {
		const subjects = [...about];
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
