/** Timings of the last join, for the join benchmark (read from the page's performance entries). */
export const mark = (name: string, detail?: unknown) => {
	try {
		performance.mark(`room:${name}`, { detail });
	} catch {
		// performance.mark with detail is missing in very old browsers; timings are optional.
	}
};
