/**
 * Who holds a lease on a job, a message or an ending: the instance's id when
 * several run (INSTANCE_ID, stable across its restarts, so a restarted
 * instance takes its own leases back at once), else an id of this process.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';

const thisProcess = `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;

export function leaseOwner(cluster: { instanceId: string } | null | undefined): string {
	return cluster?.instanceId ?? thisProcess;
}
