/**
 * The rhythm a contract agrees: how often, in the words people use. The
 * engagement form already offers these; the contract reuses them so a
 * contract made from an engagement keeps its frequency.
 */
import { FREQUENCIES } from '../forms/index.ts';

export const ENGAGEMENT_FREQUENCIES = FREQUENCIES;
export type EngagementFrequency = (typeof FREQUENCIES)[number];

const words: Record<EngagementFrequency, string> = {
	weekly: 'every week',
	fortnightly: 'every two weeks',
	monthly: 'every month',
	'bi-monthly': 'every two months',
	'as agreed': 'at times agreed as we go'
};

export function frequencyWords(f: EngagementFrequency): string {
	return words[f];
}
