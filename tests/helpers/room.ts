/** Steps the live-room browser tests share. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from './browser.ts';

/** `sharer` shares a screen: `viewer` sees it take the large place, then the 1:1 view again once it stops. */
export async function screenShareSeen(sharer: Page, viewer: Page, sharerName: string, shot: string): Promise<void> {
	await sharer.getByRole('toolbar').getByRole('button', { name: 'Share screen' }).click();
	await viewer.locator('[data-testid=room][data-layout=screen]').waitFor();
	const screen = viewer.locator(`[data-testid=tile][aria-label="${sharerName}'s screen"] video`);
	await expect.poll(() => screen.count(), { timeout: 15_000, interval: 250 }).toBe(1);
	// Its picture arrived (a video element alone may still be black).
	await expect.poll(() => screen.evaluate((v) => (v as HTMLVideoElement).videoWidth), { timeout: 15_000, interval: 250 }).toBeGreaterThan(0);
	await screenshot(viewer, shot);
	await sharer.getByRole('toolbar').getByRole('button', { name: 'Stop sharing' }).click();
	await viewer.locator('[data-testid=room][data-layout=one-to-one]').waitFor();
}
