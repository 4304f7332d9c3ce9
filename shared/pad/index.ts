/**
 * The agreed-actions pad, shared by server and browser: document names, the
 * Y.Doc layout with typed readers and changes, notes as text/Markdown, and
 * what the server tells clients through awareness.
 */
export * from './names.ts';
export * from './layout.ts';
export * from './notes.ts';
export * from './status.ts';
export * from './content.ts';
export * from './close-codes.ts';
