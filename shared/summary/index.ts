/**
 * The words a summary uses where a section was cut to its bound
 * (server/summary/bounds.ts), shared by the rendered copies and the page.
 */
export const shortenedNotesLine = '…(shortened; the full notes stay in the pad)';

export const shortenedItemsLine = (n: number, what: string) => `…(shortened; ${n} more ${what} ${n === 1 ? 'is' : 'are'} in the pad)`;
