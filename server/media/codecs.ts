/**
 * What every session's router speaks: opus for voice (every browser has it)
 * and VP8 for video (every browser can encode it in simulcast, which lets
 * the SFU send a small layer to a weak link without re-encoding).
 */
import type { types } from 'mediasoup';

export const mediaCodecs: types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } },
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		// Start near the full layer's bitrate so the first seconds are not blurry.
		parameters: { 'x-google-start-bitrate': 800 }
	}
];
