/** A short, person-readable name for a browser from its User-Agent, e.g. "Firefox on Windows". */
export function describeDevice(userAgent: string): string {
	const ua = userAgent.slice(0, 512);
	if (!ua) return 'Unknown device';
	const browser =
		/Edg\//.test(ua) ? 'Edge'
		: /OPR\/|Opera/.test(ua) ? 'Opera'
		: /Firefox\//.test(ua) ? 'Firefox'
		: /(Chrome|Chromium|CriOS)\//.test(ua) ? 'Chrome'
		: /Safari\//.test(ua) && /Version\//.test(ua) ? 'Safari'
		: /^node|undici|curl|python|Go-http/i.test(ua) ? 'A program'
		: 'A browser';
	const os =
		/iPhone|iPad|iPod/.test(ua) ? 'iOS'
		: /Android/.test(ua) ? 'Android'
		: /Windows/.test(ua) ? 'Windows'
		: /Mac OS X|Macintosh/.test(ua) ? 'macOS'
		: /CrOS/.test(ua) ? 'ChromeOS'
		: /Linux/.test(ua) ? 'Linux'
		: null;
	return os ? `${browser} on ${os}` : browser;
}
