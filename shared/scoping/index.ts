/**
 * Scoping before the work is taken on ("Do I want this work?"), shared by
 * pages and server: the questions, the forms, the courteous decline's
 * template, what the answers prefill in the contract, and the engagement's
 * life as steps.
 */
export * from './questions.ts';
export * from './forms.ts';
export * from './decline.ts';
export * from './life.ts';
export * from './prefill.ts';
