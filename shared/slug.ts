/** A title as a file-name part: lower case, dashes, at most 40 characters ("engagement" when nothing is left). */
export const fileSlug = (title: string): string => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'engagement';
