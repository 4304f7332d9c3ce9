/**
 * The progress series arranged for drawing and for its table: per goal, one
 * row per moment (a baseline, a session, the close...), one line per person
 * who rated that goal (coachees first, then the coach), and the gap between
 * the highest and lowest score at each moment, so disagreement shows in
 * numbers as well as in the picture.
 */
import type { ProgressGoal, ProgressPoint, ProgressSeries } from './index.ts';

export interface ProgressLine {
	raterId: string;
	raterName: string;
	raterRole: 'coach' | 'coachee';
	/** One value per row; null where this person gave no rating at that moment. */
	values: (number | null)[];
}

export interface GoalChart {
	goal: ProgressGoal;
	rows: { key: string; label: string; at: number; gap: number | null }[];
	lines: ProgressLine[];
	/** The widest disagreement, when two people rated the same moment. */
	largestGap: { gap: number; label: string } | null;
}

export function goalCharts(series: ProgressSeries): GoalChart[] {
	return series.goals.map((goal) => {
		const points = series.points.filter((p) => p.goalId === goal.id);
		// One row per moment (the baseline, each session, the close...), at the time of its first rating.
		const keyOf = (p: ProgressPoint) => (p.moment === 'session' ? `session:${p.sessionId}` : p.moment);
		const rows: GoalChart['rows'] = [];
		const rowIndex = new Map<string, number>();
		for (const p of [...points].sort((a, b) => a.at - b.at)) {
			if (!rowIndex.has(keyOf(p))) {
				rowIndex.set(keyOf(p), rows.length);
				rows.push({ key: keyOf(p), label: p.label, at: p.at, gap: null });
			}
		}
		const byRater = new Map<string, ProgressLine>();
		for (const p of points) {
			let line = byRater.get(p.raterId);
			if (!line) byRater.set(p.raterId, (line = { raterId: p.raterId, raterName: p.raterName, raterRole: p.raterRole, values: rows.map(() => null) }));
			line.values[rowIndex.get(keyOf(p))!] = p.score;
		}
		const lines = [...byRater.values()].sort((a, b) => (a.raterRole === b.raterRole ? a.raterName.localeCompare(b.raterName) : a.raterRole === 'coachee' ? -1 : 1));
		let largestGap: GoalChart['largestGap'] = null;
		rows.forEach((row, i) => {
			const scores = lines.map((l) => l.values[i]).filter((v): v is number => v !== null && v !== undefined);
			if (scores.length < 2) return;
			row.gap = Math.max(...scores) - Math.min(...scores);
			if (row.gap > 0 && (!largestGap || row.gap > largestGap.gap)) largestGap = { gap: row.gap, label: row.label };
		});
		return { goal, rows, lines, largestGap };
	});
}
