import { z } from 'zod';

/**
 * What a person asks for, whatever the channel: a Telegram tap, a Zalo "2 ốm", a web form post or a typed
 * command all become one of these. Button intents travel as compact strings (Telegram callback data is at
 * most 64 bytes), so they carry short IDs and codes, never names; every decoded intent is re-authorized.
 */
export const ABSENCE_REASONS = ['sick', 'work', 'family', 'other'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];

const id = z.string().regex(/^[0-9a-z]{1,24}$/);
/** Typed text a handler asked for: as long as a message may be; each handler applies its own, smaller limit. */
const MAX_TYPED_TEXT = 4096;

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
  /**
   * A secretary's action on a meeting (tally, remind, roll call, /hop edits, …). `note` is free text typed after
   * the bot asked for it (a new time, a new place): never in callback data, and bounded by the handler.
   */
  z.object({
    type: z.literal('meeting'),
    action: z.string().regex(/^[a-z_]{1,16}$/),
    meetingId: id,
    arg: z.string().max(24).optional(),
    note: z.string().max(MAX_TYPED_TEXT).optional(),
  }),
  /** Someone without a code asks to join: no cell yet (list them), a cell (ask the name), then the name typed. */
  z.object({
    type: z.literal('join'),
    cellId: id.optional(),
    note: z.string().max(MAX_TYPED_TEXT).optional(),
  }),
  /** A secretary's decision on a join request. */
  z.object({ type: z.literal('join_decision'), requestId: id, approve: z.boolean() }),
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
    case 'join':
      return `j|${intent.cellId ?? ''}`;
    case 'join_decision':
      return `jd|${intent.requestId}|${intent.approve ? 'y' : 'n'}`;
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
    case 'j':
      candidate = { type: 'join', cellId: a || undefined };
      break;
    case 'jd':
      candidate = {
        type: 'join_decision',
        requestId: a,
        approve: b === 'y' ? true : b === 'n' ? false : '?',
      };
      break;
    default:
      return undefined;
  }
  const parsed = intentSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}
