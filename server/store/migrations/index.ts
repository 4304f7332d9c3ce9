import type { Migration } from '../migrate.ts';
import { foundation } from './0001_foundation.ts';
import { summary } from './0002_summary.ts';
import { prompts } from './0003_prompts.ts';
import { pad } from './0004_pad.ts';
import { padUpdatesClustered } from './0005_pad_updates_clustered.ts';
import { summaryRenderings } from './0006_summary_renderings.ts';
import { contracts } from './0008_contracts.ts';
import { sessionKinds } from './0009_session_kinds.ts';
import { sponsors } from './0010_sponsors.ts';
import { referrals } from './0011_referrals.ts';
import { timeZones } from './0012_time_zones.ts';
import { proposals } from './0013_proposals.ts';
import { calendar } from './0015_calendar.ts';
import { rhythm } from './0016_rhythm.ts';
import { accounts } from './0017_accounts.ts';
import { schemes } from './0019_schemes.ts';
import { feedback } from './0020_feedback.ts';
import { closing } from './0021_closing.ts';
import { practice } from './0022_practice.ts';
import { yourData } from './0023_your_data.ts';
import { twoFactor } from './0024_two_factor.ts';
import { callPrivacy } from './0025_call_privacy.ts';
import { summaryRemails } from './0026_summary_remails.ts';
import { padHeads } from './0027_pad_heads.ts';
import { clusterJobs } from './0029_cluster_jobs.ts';

/** Every migration in order. A feature adds its file here; never edit a released one. */
export const migrations: Migration[] = [foundation, summary, prompts, pad, padUpdatesClustered, summaryRenderings, contracts, sessionKinds, sponsors, referrals, timeZones, proposals, calendar, rhythm, accounts, schemes, feedback, closing, practice, yourData, twoFactor, callPrivacy, summaryRemails, padHeads, clusterJobs];
