/**
 * Every table group, in the order erasure runs them: mail first (it finds
 * an engagement's messages through the summaries, contracts and proposals
 * the later groups remove), the engagement itself last. A feature with new
 * tables adds its group here.
 */
import type { TableGroup } from '../registry.ts';
import { accountGroup } from './account.ts';
import { contractsGroup } from './contracts.ts';
import { engagementsGroup } from './engagements.ts';
import { mailGroup } from './mail.ts';
import { padGroup } from './pad.ts';
import { promptsGroup } from './prompts.ts';
import { proposalsGroup } from './proposals.ts';
import { referralsGroup } from './referrals.ts';
import { rhythmGroup } from './rhythm.ts';
import { schemesGroup } from './schemes.ts';
import { sponsorsGroup } from './sponsors.ts';
import { summariesGroup } from './summaries.ts';

export { ERASED_TITLE } from './engagements.ts';

export const GROUPS: readonly TableGroup[] = [mailGroup, summariesGroup, padGroup, promptsGroup, rhythmGroup, contractsGroup, sponsorsGroup, referralsGroup, proposalsGroup, schemesGroup, accountGroup, engagementsGroup];
