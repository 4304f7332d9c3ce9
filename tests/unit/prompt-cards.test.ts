import { describe, expect, it } from 'vitest';
import { ShownCards } from '../../server/prompts/cards.ts';

const card = (cardId: string) => ({ cardId, promptId: 'goal-focus-today', text: 'What would you like to focus on today?', shownAt: 1, dismissedBy: [] });
const sam = { userId: 'u-sam', name: 'Sam' };

describe('the card shown to coachees', () => {
	it('keeps one card per session; a new one replaces the old', () => {
		const cards = new ShownCards();
		expect(cards.show('s1', card('a'))).toBeNull();
		expect(cards.show('s1', card('b'))?.cardId).toBe('a');
		expect(cards.get('s1')?.cardId).toBe('b');
		expect(cards.get('s2')).toBeNull();
	});

	it('records each coachee’s dismissal once, and only for the card still up', () => {
		const cards = new ShownCards();
		cards.show('s1', card('a'));
		expect(cards.dismiss('s1', 'old', sam, 5)).toBeNull();
		expect(cards.dismiss('s1', 'a', sam, 5)?.dismissedBy).toEqual([{ ...sam, at: 5 }]);
		expect(cards.dismiss('s1', 'a', sam, 9)?.dismissedBy).toEqual([{ ...sam, at: 5 }]);
		expect(cards.dismissedBy('s1', 'u-sam')).toBe(true);
		expect(cards.dismissedBy('s1', 'u-alex')).toBe(false);
	});

	it('forgets the card when taken back', () => {
		const cards = new ShownCards();
		cards.show('s1', card('a'));
		expect(cards.clear('s1')?.cardId).toBe('a');
		expect(cards.clear('s1')).toBeNull();
		expect(cards.dismiss('s1', 'a', sam, 5)).toBeNull();
	});
});
