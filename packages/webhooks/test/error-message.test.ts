/**
 * errorMessage fitting, as properties (fast-check): the limit is 500 UTF-16 code units, the way a
 * marketplace written in JavaScript, Java or .NET counts a string's length; a message that fits is
 * left alone; nothing is cut inside a character or an emoji sequence; long identifiers are shortened in
 * their middle so that the sentence, and the reason at its end, stays whole.
 */
import fc from 'fast-check';
import { cutErrorMessage, MAX_ERROR_MESSAGE } from '@apskit/webhooks';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (g) => g.segment);

// Emoji sequences of several code points: a family (ZWJ), a flag (regional indicators), a skin tone.
const EMOJI = ['😀', '👨‍👩‍👧', '🇫🇷', '👍🏽', 'é', 'e\u0301', '中'];
const emojiText = fc.array(fc.constantFrom(...EMOJI, ' ', 'a', 'b'), { maxLength: 1500 }).map((a) => a.join(''));
const anyText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 1200 }), emojiText, fc.string({ maxLength: 1500 }));

describe('cutErrorMessage', () => {
  it('never exceeds 500 UTF-16 units, and leaves a message that fits as it is (trimmed)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const cut = cutErrorMessage(text);
        expect(cut.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
        if (text.trim().length <= MAX_ERROR_MESSAGE) expect(cut).toBe(text.trim());
      }),
      { numRuns: 300 },
    );
  });

  it('counts UTF-16 units: 300 emoji (600 units) are too long, 250 fit', () => {
    expect(cutErrorMessage('😀'.repeat(250))).toBe('😀'.repeat(250));
    expect(cutErrorMessage('😀'.repeat(300)).length).toBeLessThanOrEqual(500);
    expect(cutErrorMessage('😀'.repeat(300))).not.toBe('😀'.repeat(300));
  });

  it('never cuts inside a character or an emoji sequence', () => {
    fc.assert(
      fc.property(emojiText, (text) => {
        const cut = cutErrorMessage(text);
        expect(LONE_SURROGATE.test(cut)).toBe(false);
        const known = new Set(graphemes(text));
        for (const g of graphemes(cut)) if (g !== '…') expect(known.has(g)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the sentence and its reason whole, shortening long identifiers in their middle', () => {
    const identifier = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), minLength: 30, maxLength: 400 }),
      fc.array(fc.constantFrom('😀', '🇫🇷'), { minLength: 20, maxLength: 200 }).map((a) => a.join('')),
    );
    const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(identifier, { minLength: 1, maxLength: 10 }),
        fc.array(word, { minLength: 1, maxLength: 20 }),
        (ids, reasonWords) => {
          const reason = reasonWords.join(' ');
          const message = `Provisioning failed for ${ids.join(' and ')}: ${reason}`;
          const cut = cutErrorMessage(message);
          expect(cut.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
          expect(cut.startsWith('Provisioning failed for ')).toBe(true);
          expect(cut.endsWith(`: ${reason}`)).toBe(true);
          // Every identifier is still there, recognizable by its head and its tail.
          const parts = cut.slice('Provisioning failed for '.length, cut.length - reason.length - 2).split(' and ');
          expect(parts).toHaveLength(ids.length);
          parts.forEach((part, i) => {
            const id = ids[i]!;
            if (part === id) return;
            expect(part).toContain('…');
            const [head, tail] = part.split('…') as [string, string];
            expect(id.startsWith(head) && id.endsWith(tail)).toBe(true);
            expect(head.length).toBeGreaterThanOrEqual(4);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves out the middle of a sentence too long for its words, keeping its start and its end', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const cut = cutErrorMessage(`The admin email is refused: ${words} because it is in use by another account`);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.startsWith('The admin email is refused: word0 word1')).toBe(true);
    expect(cut.endsWith('because it is in use by another account')).toBe(true);
    expect(cut).toContain('…');
  });

  it('the example of the issue: an emoji-heavy message of 982 UTF-16 units', () => {
    const message = `Workspace ${'🚀'.repeat(480)} could not be created: vendorAdminEmail in use by another account`;
    const cut = cutErrorMessage(message);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut).toMatch(/^Workspace (🚀)+…(🚀)+ could not be created: vendorAdminEmail in use by another account$/u);
  });
});
