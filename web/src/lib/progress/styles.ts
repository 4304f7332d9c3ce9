/**
 * How each person's line looks, so coach and coachee differ in more than
 * colour: a coachee's line is solid with filled dots, the coach's dashed
 * with hollow dots, each in its own colour. The chart and its legend use
 * the same styles.
 */
export interface LineStyle {
	stroke: string;
	dash: number[];
	/** Dot fill: the line's colour (filled) or white (hollow). */
	fill: string;
	role: 'coach' | 'coachee';
}

const COACHEE_COLOURS = ['#2f6f62', '#3d5a9e', '#7a3b8f', '#5c6b1f'];
const COACH_COLOUR = '#b3541e';
export const SPREAD_FILL = 'rgba(224, 168, 74, 0.28)';

/** Styles for lines in the order `goalCharts` gives them (coachees first, then the coach). */
export function lineStyles(roles: ('coach' | 'coachee')[]): LineStyle[] {
	let nth = 0;
	return roles.map((role) =>
		role === 'coach'
			? { stroke: COACH_COLOUR, dash: [7, 5], fill: '#ffffff', role }
			: { stroke: COACHEE_COLOURS[nth++ % COACHEE_COLOURS.length]!, dash: [], fill: COACHEE_COLOURS[(nth - 1) % COACHEE_COLOURS.length]!, role }
	);
}
