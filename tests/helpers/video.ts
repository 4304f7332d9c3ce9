/** What the live-room browser tests look at in a page: whether a remote video shows moving pictures. */
import type { Page } from 'playwright-core';

/**
 * Whether the remote <video> of `who` (a tile's data-user, or any other
 * person's when omitted) shows decoded frames that change: two samples of
 * its pixels 300 ms apart must differ and must not be black.
 */
export function videoMoving(page: Page, who?: string): Promise<boolean> {
	return page.evaluate(async (userId) => {
		const selector = userId ? `[data-testid=tile][data-user="${userId}"] video[data-testid=remote-video]` : '[data-testid=tile][data-self=false] video[data-testid=remote-video]';
		const video = document.querySelector<HTMLVideoElement>(selector);
		if (!video || video.videoWidth === 0 || video.readyState < 2) return false;
		const canvas = document.createElement('canvas');
		canvas.width = video.videoWidth;
		canvas.height = video.videoHeight;
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const grab = () => {
			ctx.drawImage(video, 0, 0);
			return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
		};
		const a = grab();
		await new Promise((r) => setTimeout(r, 300));
		const b = grab();
		let changed = 0;
		let lit = 0;
		for (let i = 0; i < a.length; i += 4) {
			if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 30) changed++;
			if (b[i]! + b[i + 1]! + b[i + 2]! > 60) lit++;
		}
		return changed > 50 && lit > a.length / 40;
	}, who);
}
