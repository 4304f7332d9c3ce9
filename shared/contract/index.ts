/**
 * The engagement's contract, shared by pages and server:
 * - `contractBody` (zod) and `ContractBody`: goals (SMART), boundaries,
 *   confidentiality, plan, expectations, stakeholders; `contractProblems`
 *   and `missingSmartParts` for field messages;
 * - `draftFromTemplate`: a first draft in the domain's words (template.json);
 * - `clausesOf` / `diffContracts`: the contract clause by clause, and what
 *   changed between two versions;
 * - `acceptanceForm`, `KEY_CLAUSES`, `mayAccept`, `statusAfter`: acceptance.
 */
export * from './body.ts';
export * from './plan.ts';
export * from './template.ts';
export * from './clauses.ts';
export * from './acceptance.ts';
export * from './form.ts';
