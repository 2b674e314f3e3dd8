import { z } from 'zod';

/**
 * What a person asks for, whatever the channel: a Telegram tap, a Zalo "2 ốm", a web form post or a typed
 * command all become one of these. Button intents travel as compact strings (Telegram callback data is at
 * most 64 bytes), so they carry short IDs and codes, never names; every decoded intent is re-authorized.
 */
export const ABSENCE_REASONS = ['sick', 'work', 'family', 'other'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];

const id = z.string().regex(/^[0-9a-z]{1,24}$/);

export const intentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), name: z.string(), args: z.string().default('') }),
  z.object({ type: z.literal('text'), text: z.string() }),
  /** A member's answer; an absence may come with a reason code and/or free text. */
  z.object({
    type: z.literal('answer'),
    meetingId: id,
    choice: z.enum(['present', 'absent']),
    reason: z.enum(ABSENCE_REASONS).optional(),
    note: z.string().max(200).optional(),
  }),
  /** "Vắng" tapped without a reason yet: ask for one. */
  z.object({ type: z.literal('ask_reason'), meetingId: id }),
  /** A secretary's action on a meeting (tally, remind, roll call, …). */
  z.object({
    type: z.literal('meeting'),
    action: z.string().regex(/^[a-z_]{1,16}$/),
    meetingId: id,
    arg: z.string().max(24).optional(),
  }),
]);
export type Intent = z.infer<typeof intentSchema>;

/** Button intents as callback data: `a|<meeting>|p` and so on; ≤ 64 bytes by construction. */
export function encodeIntent(intent: Intent): string {
  switch (intent.type) {
    case 'answer':
      return ['a', intent.meetingId, intent.choice === 'present' ? 'p' : 'x', intent.reason ?? ''].join('|');
    case 'ask_reason':
      return `r|${intent.meetingId}`;
    case 'meeting':
      return ['m', intent.action, intent.meetingId, intent.arg ?? ''].join('|');
    case 'command':
      return `c|${intent.name}|${intent.args}`.slice(0, 64);
    case 'text':
      throw new Error('free text is not a button');
  }
}

/** Decodes untrusted callback data; anything malformed is undefined, never an exception. */
export function decodeIntent(data: string): Intent | undefined {
  if (Buffer.byteLength(data) > 64) return undefined;
  const [tag, a = '', b = '', c = ''] = data.split('|');
  let candidate: unknown;
  switch (tag) {
    case 'a':
      candidate = {
        type: 'answer',
        meetingId: a,
        choice: b === 'p' ? 'present' : b === 'x' ? 'absent' : '?',
        reason: c || undefined,
      };
      break;
    case 'r':
      candidate = { type: 'ask_reason', meetingId: a };
      break;
    case 'm':
      candidate = { type: 'meeting', action: a, meetingId: b, arg: c || undefined };
      break;
    case 'c':
      candidate = { type: 'command', name: a, args: b };
      break;
    default:
      return undefined;
  }
  const parsed = intentSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}
