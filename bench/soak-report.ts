// The soak's figures: a least-squares trend per series, the rule that
// judges it, and an SVG plot of the samples with their fitted lines.

export interface Sample {
	/** Minutes since the traffic started. */
	minute: number;
	rssMb: number;
	/** After a full collection. */
	heapUsedMb: number;
	/** Memory outside the JS heap that the heap's objects hold (buffers, typed arrays). */
	externalMb?: number;
	loopP50Ms: number;
	loopP99Ms: number;
	loopMaxMs: number;
}

export interface Trend {
	slopePerMinute: number;
	intercept: number;
	mean: number;
	/** What the fitted line rises over the samples' span. */
	rise: number;
	upward: boolean;
}

/**
 * The rule: a series trends upward when its fitted line rises, over the span
 * of the samples, by more than `tolerance` of its mean (and by more than
 * `floor`, in its unit, so a millisecond of loop delay on a 2 ms mean is
 * noise, not a trend).
 */
export function trendOf(xs: number[], ys: number[], tolerance: number, floor: number): Trend {
	const n = xs.length;
	const mx = xs.reduce((a, b) => a + b, 0) / n;
	const my = ys.reduce((a, b) => a + b, 0) / n;
	let sxy = 0;
	let sxx = 0;
	for (let i = 0; i < n; i++) {
		sxy += (xs[i]! - mx) * (ys[i]! - my);
		sxx += (xs[i]! - mx) ** 2;
	}
	const slopePerMinute = sxx === 0 ? 0 : sxy / sxx;
	const rise = slopePerMinute * (Math.max(...xs) - Math.min(...xs));
	return { slopePerMinute, intercept: my - slopePerMinute * mx, mean: my, rise, upward: rise > Math.max(tolerance * my, floor) };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One chart: the samples as a line with dots, the fitted trend dashed. */
function chart(title: string, unit: string, xs: number[], ys: number[], trend: Trend, top: number): string {
	const W = 720;
	const H = 220;
	const left = 64;
	const right = 20;
	const plotTop = top + 34;
	const plotH = H - 70;
	const x0 = Math.min(...xs);
	const x1 = Math.max(...xs) > x0 ? Math.max(...xs) : x0 + 1;
	const yMax = Math.max(...ys, trend.intercept + trend.slopePerMinute * x1) * 1.15 || 1;
	const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
	const py = (y: number) => plotTop + plotH - (Math.max(0, y) / yMax) * plotH;
	const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
	const grid = ticks
		.map((t) => `<line x1="${left}" x2="${W - right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e5e5e5"/><text x="${left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${t < 10 ? t.toFixed(1) : Math.round(t)}</text>`)
		.join('');
	const xTicks = [0, 0.2, 0.4, 0.6, 0.8, 1]
		.map((f) => x0 + f * (x1 - x0))
		.map((x) => `<text x="${px(x).toFixed(1)}" y="${plotTop + plotH + 16}" text-anchor="middle" font-size="11" fill="#555">${x1 - x0 < 10 ? x.toFixed(1) : Math.round(x)}</text>`)
		.join('');
	const line = xs.map((x, i) => `${px(x).toFixed(1)},${py(ys[i]!).toFixed(1)}`).join(' ');
	const dots = xs.map((x, i) => `<circle cx="${px(x).toFixed(1)}" cy="${py(ys[i]!).toFixed(1)}" r="3" fill="#1f5fa8"/>`).join('');
	const fit = `<line x1="${px(x0).toFixed(1)}" y1="${py(trend.intercept + trend.slopePerMinute * x0).toFixed(1)}" x2="${px(x1).toFixed(1)}" y2="${py(trend.intercept + trend.slopePerMinute * x1).toFixed(1)}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>`;
	const verdict = `${trend.upward ? 'upward trend' : 'no upward trend'}: ${trend.slopePerMinute >= 0 ? '+' : ''}${trend.slopePerMinute.toFixed(2)} ${unit}/min`;
	return [
		`<text x="${left}" y="${top + 18}" font-size="14" font-weight="bold" fill="#222">${esc(title)} (${esc(unit)})</text>`,
		`<text x="${W - right}" y="${top + 18}" font-size="12" text-anchor="end" fill="${trend.upward ? '#c0392b' : '#2d7d46'}">${esc(verdict)}</text>`,
		grid,
		`<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${plotTop + plotH}" stroke="#888"/><line x1="${left}" x2="${W - right}" y1="${plotTop + plotH}" y2="${plotTop + plotH}" stroke="#888"/>`,
		xTicks,
		`<text x="${(left + W - right) / 2}" y="${plotTop + plotH + 32}" text-anchor="middle" font-size="11" fill="#555">minutes of traffic</text>`,
		`<polyline points="${line}" fill="none" stroke="#1f5fa8" stroke-width="2"/>`,
		dots,
		fit
	].join('\n');
}

/** Both series of the soak in one SVG: the server's RSS and its event-loop delay p99, each with its trend. */
export function soakSvg(samples: Sample[], rss: Trend, loop: Trend, caption: string): string {
	const xs = samples.map((s) => s.minute);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="470" viewBox="0 0 720 470" font-family="sans-serif">
<rect width="720" height="470" fill="#fff"/>
${chart('Server RSS', 'MB', xs, samples.map((s) => s.rssMb), rss, 0)}
${chart('Server event-loop delay, p99 per sample', 'ms', xs, samples.map((s) => s.loopP99Ms), loop, 220)}
<text x="360" y="462" text-anchor="middle" font-size="11" fill="#555">${esc(caption)}</text>
</svg>
`;
}
