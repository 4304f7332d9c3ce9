/** A wait in words a coordinator reads at a glance: "3 h", "2 days". */
export function waitWords(ms: number | null): string {
	if (ms === null) return '–';
	const h = ms / 3_600_000;
	if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
	if (h < 48) return `${Math.round(h)} h`;
	return `${Math.round(h / 24)} days`;
}
