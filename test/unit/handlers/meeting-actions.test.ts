import { describe, expect, it } from 'vitest';
import { decodeIntent, encodeIntent, MEETING_ACTIONS } from '../../../src/domain/intents.js';

const MEETING = 'k3m9q2x7ab';
const PERSON = 'p8d2w4z6cd';

/**
 * Callback data of meeting buttons exactly as earlier versions sent them: buttons already in people's chats
 * must keep working after the actions became a typed enum.
 */
const SENT_BEFORE: [data: string, action: string, arg?: string][] = [
  [`m|tally|${MEETING}|`, 'tally'],
  [`m|remind|${MEETING}|`, 'remind'],
  [`m|rc|${MEETING}|${PERSON}`, 'rc', PERSON],
  [`m|rcsheet|${MEETING}|`, 'rcsheet'],
  [`m|rcguest|${MEETING}|`, 'rcguest'],
  [`m|rcall|${MEETING}|`, 'rcall'],
  [`m|rcallok|${MEETING}|3`, 'rcallok', '3'],
  [`m|rcclose|${MEETING}|`, 'rcclose'],
  [`m|hop|${MEETING}|`, 'hop'],
  [`m|htime|${MEETING}|2`, 'htime', '2'],
  [`m|hplace|${MEETING}|2`, 'hplace', '2'],
  [`m|hkind|${MEETING}|2`, 'hkind', '2'],
  [`m|hkind|${MEETING}|2.thematic`, 'hkind', '2.thematic'],
  [`m|hcancel|${MEETING}|2`, 'hcancel', '2'],
  [`m|hcancelok|${MEETING}|2`, 'hcancelok', '2'],
  [`m|hnotice|${MEETING}|`, 'hnotice'],
];

describe('typed meeting actions on the wire', () => {
  it.each(SENT_BEFORE)('%s, sent before, still decodes and encodes back the same', (data, action, arg) => {
    const intent = decodeIntent(data);
    expect(intent).toEqual({ type: 'meeting', action, meetingId: MEETING, ...(arg ? { arg } : {}) });
    expect(intent && encodeIntent(intent)).toBe(data);
  });

  it('every typed action has its button from before, so none was renamed on the wire', () => {
    expect(new Set(SENT_BEFORE.map(([, action]) => action))).toEqual(new Set(MEETING_ACTIONS));
  });

  it('an action that is not one of them is refused at decoding, not passed to a handler', () => {
    for (const data of [`m|rcclos|${MEETING}|`, `m|RC|${MEETING}|${PERSON}`, `m|delete|${MEETING}|`])
      expect(decodeIntent(data)).toBeUndefined();
  });
});
