import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests that measure time or count video frames: they run last, one file at a
 * time and alone, so no other test shares the CPU with them. Add a file here
 * when it asserts how fast the server answers or how smoothly a call plays.
 */
const TIMED_SERVER_TESTS = ['tests/integration/fuzz.test.ts', 'tests/integration/pad-hostile.test.ts', 'tests/integration/summary-bounds.test.ts'];
const CALL_TESTS = ['tests/e2e/room.test.ts', 'tests/e2e/three-way.test.ts', 'tests/e2e/session-connection.test.ts', 'tests/e2e/session-start.test.ts', 'tests/e2e/call-*.test.ts'];

const serverTests = { environment: 'node', testTimeout: 30_000, hookTimeout: 60_000 } as const;
const browserTests = { environment: 'node', testTimeout: 120_000, hookTimeout: 180_000 } as const;
/**
 * Each test file starts its own server (random port, fresh data), so two
 * files can run at once. Four at once was tried (2026-12-01): the two cores
 * stayed saturated (idle under 2 %: servers starting, about 2.3 s of CPU
 * each, and browsers), summary.test.ts took 210 s instead of 161 s and an
 * auto-end wait ran out, so two it is.
 */
const together = { sequence: { groupOrder: 1 }, fileParallelism: true, maxWorkers: 2 } as const;
const alone = { sequence: { groupOrder: 2 }, fileParallelism: false, maxWorkers: 1 } as const;
/**
 * Several instances behind a real HAProxy, on PostgreSQL and a private Redis
 * (tests/helpers/cluster.ts): each file starts three servers, so the files
 * run last, one at a time, alone.
 */
const clusterTests = { environment: 'node', testTimeout: 180_000, hookTimeout: 400_000, sequence: { groupOrder: 3 }, fileParallelism: false, maxWorkers: 1 } as const;

// `npm test` runs the unit tests, then the server and page tests two files at
// a time, then the timed ones alone. A developer can run one project by name
// (npm run test:unit, test:integration, test:e2e).
export default defineConfig({
	test: {
		maxWorkers: 2,
		projects: [
			{
				// The browser's pure pieces are unit-tested too; they import through the app's aliases.
				resolve: { alias: { $shared: path.resolve(import.meta.dirname, 'shared'), $lib: path.resolve(import.meta.dirname, 'web/src/lib') } },
				test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } }
			},
			{ test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], exclude: TIMED_SERVER_TESTS, ...serverTests, ...together } },
			{ test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], exclude: CALL_TESTS, ...browserTests, ...together } },
			{ test: { name: 'integration-timed', include: TIMED_SERVER_TESTS, ...serverTests, ...alone } },
			{ test: { name: 'e2e-call', include: CALL_TESTS, ...browserTests, ...alone } },
			{ test: { name: 'cluster', include: ['tests/cluster/**/*.test.ts'], ...clusterTests } }
		]
	}
});
