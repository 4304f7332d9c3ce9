import type { ContractVersion } from '$server/contracts/index.ts';

/** A contract version as pages show it: the body, and each required party's acceptance with their name. */
export function contractVersionView(v: ContractVersion, names: Map<string, string>) {
	return {
		version: v.version,
		status: v.status,
		body: v.body,
		sentAt: v.sentAt,
		inForceAt: v.inForceAt,
		parties: v.required.map((userId) => {
			const a = v.acceptances.find((x) => x.userId === userId);
			return { userId, name: names.get(userId) ?? 'A former participant', acceptedAt: a?.acceptedAt ?? null, typedName: a?.typedName ?? null };
		})
	};
}

export type ContractVersionView = ReturnType<typeof contractVersionView>;
