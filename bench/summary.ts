// Session end as both people feel it: from the coach's click on "End
// session" in the confirm dialog until the summary is on screen in both
// browsers and both emails have been accepted by an SMTP server (an
// in-process smtp-server). Real server, real Chromium, median over 10 runs.
// Run with `npm run bench:summary` (`node bench/summary.ts`).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startServer } from '../tests/helpers/server.ts';
import { launchBrowser, newPerson } from '../tests/helpers/browser.ts';
import { coachingPair } from '../tests/helpers/http.ts';
import { startSmtp } from '../tests/helpers/smtp.ts';
import { writeBenchmarkSection } from './report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WARMUP = 1;
const GOAL_MS = 1_000;
const HEADING = '## Session end to summary (`npm run bench:summary`)';

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (n: number) => n.toFixed(0);

async function main() {
	const loadAverage = loadavg()[0]!.toFixed(2);
	const smtp = await startSmtp();
	const [server, browser] = await Promise.all([startServer({ env: { SMTP_URL: smtp.url } }), launchBrowser()]);
	const rows: { total: number; coachPage: number; coacheePage: number; emails: number }[] = [];
	try {
		const pair = await coachingPair(server.url);
		const coach = await newPerson(browser, server.url);
		const coachee = await newPerson(browser, server.url, { width: 390, height: 844 });
		const cookie = (v: { cookie: string }) => [{ name: 'confidante_session', value: v.cookie.split('=')[1]!, url: server.url }];
		await coach.context.addCookies(cookie(pair.coach));
		await coachee.context.addCookies(cookie(pair.coachee));
		const c = coach.page;
		const p = coachee.page;

		for (let run = 0; run < WARMUP + RUNS; run++) {
			const sessionId = run === 0 ? pair.sessionId : await pair.coach.scheduleSession(pair.engagementId, 5);
			await Promise.all([c.goto(`/sessions/${sessionId}`), p.goto(`/sessions/${sessionId}`)]);
			const end = c.getByRole('button', { name: 'End session' });
			// Both pages must be in the room, or the coachee's page could not be moved.
			for (let i = 0; !(await end.isEnabled()) || !(await c.locator('body').textContent())?.includes('Sam Coachee'); i++) {
				if (i > 400) throw new Error('the session page did not connect');
				await new Promise((r) => setTimeout(r, 25));
			}
			await end.click();
			const confirm = c.getByRole('dialog').getByRole('button', { name: /^End (session|anyway)$/ });
			await confirm.waitFor();
			const before = smtp.received.length;
			const t0 = performance.now();
			const onSummary = (page: typeof c) =>
				page
					.waitForURL(/\/summaries\/[a-z2-7]+$/, { timeout: 15_000 })
					.then(() => page.getByTestId('summary').waitFor({ timeout: 15_000 }))
					.then(() => performance.now() - t0);
			const emails = smtp.waitFor(before + 2, 15_000).then(() => performance.now() - t0);
			const [coachPage, coacheePage] = await Promise.all([onSummary(c), onSummary(p), confirm.click()]);
			const total = Math.max(coachPage, coacheePage, await emails);
			if (run >= WARMUP) rows.push({ total, coachPage, coacheePage, emails: await emails });
			console.log(`run ${run < WARMUP ? 'warm-up' : run}: ${ms(total)} ms (coach page ${ms(coachPage)}, coachee page ${ms(coacheePage)}, emails ${ms(await emails)})`);
		}
	} finally {
		await browser.close();
		await server.cleanup();
		await smtp.close();
	}

	const col = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]);
	const result = median(col('total'));
	const section = [
		HEADING,
		'',
		'From the coach\'s click on "End session" in the confirm dialog until the summary is visible',
		"in both browsers (coach at 1280x800, coachee at phone size) and both emails are accepted by",
		'an SMTP server running in the benchmark process. Real server on SQLite, Debian Chromium via',
		'playwright-core; each run is a new session of the same engagement, with both pages joined.',
		'',
		`- Command: \`npm run bench:summary\` (\`node bench/summary.ts\`)`,
		`- Date: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, load average ${loadAverage} at start`,
		`- Runs: ${RUNS} after ${WARMUP} warm-up run`,
		'',
		'| End click to ... (ms) | median | min | max |',
		'| --- | --- | --- | --- |',
		`| coach's page shows the summary | ${ms(median(col('coachPage')))} | ${ms(Math.min(...col('coachPage')))} | ${ms(Math.max(...col('coachPage')))} |`,
		`| coachee's page shows the summary | ${ms(median(col('coacheePage')))} | ${ms(Math.min(...col('coacheePage')))} | ${ms(Math.max(...col('coacheePage')))} |`,
		`| both emails accepted by SMTP | ${ms(median(col('emails')))} | ${ms(Math.min(...col('emails')))} | ${ms(Math.max(...col('emails')))} |`,
		`| **all of the above** | **${ms(result)}** | ${ms(Math.min(...col('total')))} | ${ms(Math.max(...col('total')))} |`,
		'',
		`Goal: ${GOAL_MS} ms or less for all of the above; the median is ${result <= GOAL_MS ? 'within' : 'over'} it.`,
		''
	].join('\n');
	await writeBenchmarkSection(HEADING, section);
	console.log(`\n${section}`);
	console.log(`RESULT summary_delivery_median_ms=${ms(result)}`);
}

await main();
