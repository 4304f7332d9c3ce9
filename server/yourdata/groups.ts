/**
 * Every feature's table group (each in its own folder, querying only its own
 * tables), in the order erasure runs them: mail first (it finds an
 * engagement's messages through ids the others give), the engagement
 * itself last. A feature with new tables adds its group here.
 */
import type { TableGroup } from './registry.ts';
import { accountGroup } from '../auth/yourdata.ts';
import { calendarGroup } from '../calendar/yourdata.ts';
import { callPrivacyGroup } from '../call-privacy/yourdata.ts';
import { closingGroup } from '../closing/yourdata.ts';
import { contractsGroup } from '../contracts/yourdata.ts';
import { engagementsGroup } from '../engagements/yourdata.ts';
import { feedbackGroup } from '../feedback/yourdata.ts';
import { mailGroup } from '../mail/yourdata.ts';
import { padGroup } from '../pad/yourdata.ts';
import { practiceGroup } from '../practice/yourdata.ts';
import { progressGroup } from '../progress/yourdata.ts';
import { promptsGroup } from '../prompts/yourdata.ts';
import { proposalsGroup } from '../proposals/yourdata.ts';
import { referralsGroup } from '../referrals/yourdata.ts';
import { rhythmGroup } from '../rhythm/yourdata.ts';
import { schedulerGroup } from '../scheduler/yourdata.ts';
import { schemesGroup } from '../schemes/yourdata.ts';
import { secondFactorGroup } from '../auth/second-factor/yourdata.ts';
import { sponsorsGroup } from '../sponsors/yourdata.ts';
import { summariesGroup } from '../summary/yourdata.ts';

export const GROUPS: readonly TableGroup[] = [
	mailGroup,
	schedulerGroup,
	summariesGroup,
	padGroup,
	promptsGroup,
	rhythmGroup,
	feedbackGroup,
	progressGroup,
	practiceGroup,
	closingGroup,
	callPrivacyGroup,
	contractsGroup,
	sponsorsGroup,
	referralsGroup,
	proposalsGroup,
	schemesGroup,
	calendarGroup,
	secondFactorGroup,
	accountGroup,
	engagementsGroup
];
