import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENCE_REASONS, decodeIntent, encodeIntent, intentSchema } from '../../../src/domain/intents.js';

/** An answer tap decoded as the schema alone decodes it: the reference for decodeIntent's own check. */
function bySchema(data: string) {
  if (Buffer.byteLength(data) > 64) return undefined;
  const [, a = '', b = '', c = ''] = data.split('|');
  const candidate = {
    type: 'answer',
    meetingId: a,
    choice: b === 'p' ? 'present' : b === 'x' ? 'absent' : '?',
    reason: c || undefined,
  };
  const parsed = intentSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

describe('answer taps on the wire', () => {
  it('decode exactly as the schema decodes them, valid or not', () => {
    const part = fc.oneof(
      fc.constantFrom('', 'p', 'x', 'P', 'present', ...ABSENCE_REASONS, 'Sick', 'k3m9q2x7ab', 'a'.repeat(25)),
      fc.stringMatching(/^[0-9a-zA-Z_ -]{0,26}$/),
    );
    const data = fc
      .tuple(part, part, part, fc.option(part, { nil: undefined }))
      .map(([a, b, c, d]) => ['a', a, b, c, ...(d === undefined ? [] : [d])].join('|'));
    fc.assert(
      fc.property(data, (d) => {
        const decoded = decodeIntent(d);
        expect(decoded).toStrictEqual(bySchema(d));
        if (decoded) expect(Object.keys(decoded)).toEqual(Object.keys(bySchema(d) ?? {}));
      }),
      { numRuns: 2_000 },
    );
  });

  it('encode and decode back the same', () => {
    for (const data of ['a|k3m9q2x7ab|p|', 'a|k3m9q2x7ab|x|', 'a|k3m9q2x7ab|x|family']) {
      const intent = decodeIntent(data);
      expect(intent).toMatchObject({ type: 'answer', meetingId: 'k3m9q2x7ab' });
      expect(intent && encodeIntent(intent)).toBe(data);
    }
  });
});
