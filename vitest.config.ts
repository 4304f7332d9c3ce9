import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Three projects so `npm test` can run the fast ones first and a developer can
// run one layer alone (npm run test:unit, test:integration, test:e2e).
export default defineConfig({
	test: {
		projects: [
			{
				// The browser's pure pieces are unit-tested too; they import through the app's aliases.
				resolve: { alias: { $shared: path.resolve(import.meta.dirname, 'shared'), $lib: path.resolve(import.meta.dirname, 'web/src/lib') } },
				test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' }
			},
			{
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 30_000,
					hookTimeout: 60_000,
					fileParallelism: false
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 120_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			}
		]
	}
});
