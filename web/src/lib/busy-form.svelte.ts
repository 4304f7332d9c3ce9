/**
 * A form that says it is busy while its post is on the way and keeps what
 * was typed afterwards (SvelteKit resets forms by default): `use:enhance={f.submit}`
 * and `disabled={f.busy}`.
 */
import type { SubmitFunction } from '@sveltejs/kit';

export function busyForm(): { readonly busy: boolean; submit: SubmitFunction } {
	let busy = $state(false);
	return {
		get busy() {
			return busy;
		},
		submit: () => {
			busy = true;
			return async ({ update }) => {
				await update({ reset: false });
				busy = false;
			};
		}
	};
}
