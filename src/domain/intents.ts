import { z } from 'zod';
import { MARKABLE_STEPS } from './checklist.js';

/**
 * What a person asks for, whatever the channel: a Telegram tap, a Zalo "2 ốm", a web form post or a typed
 * command all become one of these. Button intents travel as compact strings (Telegram callback data is at
 * most 64 bytes), so they carry short IDs and codes, never names; every decoded intent is re-authorized.
 */
export const ABSENCE_REASONS = ['sick', 'work', 'family', 'other'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];
const isAbsenceReason = (reason: string): reason is AbsenceReason =>
  (ABSENCE_REASONS as readonly string[]).includes(reason);

/** A record's ID in an intent (newId() and the like). */
const ID = /^[0-9a-z]{1,24}$/;
const id = z.string().regex(ID);
/** Typed text a handler asked for: as long as a message may be; each handler applies its own, smaller limit. */
const MAX_TYPED_TEXT = 4096;

/**
 * What a secretary does with thematic topics, and the one-letter code each travels as. A topic's button is
 * "t|s|<cell>|<topic id>": cells are newId() (10 characters, 16 allowed) and topic ids at most 40 (checked by
 * content:check as TOPIC_ID_MAX), so it stays within 64 bytes.
 */
export const TOPIC_ACTIONS = {
  list: 'l', // the first page of suggestions
  more: 'm', // the next page; arg = offset
  show: 's', // one topic's summary and questions; arg = topic id
  choose: 'c', // attach it to the quarter's thematic meeting; arg = topic id
  own: 'o', // the secretary types a title of their own (note)
  date: 'd', // the date and time of a new thematic meeting (note); arg = topic id, or the own title in `title`
} as const;
export type TopicAction = keyof typeof TOPIC_ACTIONS;
const topicActionByCode = new Map<string, string>(
  Object.entries(TOPIC_ACTIONS).map(([name, code]) => [code, name]),
);

/**
 * What a secretary does with one meeting; each name is also its code in callback data ("m|<action>|<meeting>|<arg>"),
 * so these strings must never change: buttons already sent carry them. A typo in a handler fails to compile.
 */
export const ROLL_CALL_ACTIONS = [
  'rc', // toggle one person's roll-call state; arg = person ID
  'rcsheet', // the roll-call sheet
  'rcguest', // the guests (đại biểu) part of the roll call
  'rcall', // close with some unmarked: ask to mark them all absent without reason
  'rcallok', // confirmed: mark them absent and close; arg = how many were confirmed
  'rcclose', // close the roll call
] as const;
export const HOP_ACTIONS = [
  'hop', // the /hop view of the meeting
  'htime', // change its time (typed); arg = version
  'hplace', // change its place (typed); arg = version
  'hkind', // change its kind; arg = version, then "version.kind"
  'hcancel', // ask to cancel; arg = version
  'hcancelok', // cancel, confirmed; arg = version
  'hnotice', // send the notice now
] as const;
export const MEETING_ACTIONS = [
  'tally', // the live tally of answers
  'remind', // remind those who have not answered
  ...ROLL_CALL_ACTIONS,
  ...HOP_ACTIONS,
] as const;
export type RollCallAction = (typeof ROLL_CALL_ACTIONS)[number];
export type HopAction = (typeof HOP_ACTIONS)[number];
export type MeetingAction = (typeof MEETING_ACTIONS)[number];

export const isRollCallAction = (action: MeetingAction): action is RollCallAction =>
  (ROLL_CALL_ACTIONS as readonly string[]).includes(action);
export const isHopAction = (action: MeetingAction): action is HopAction =>
  (HOP_ACTIONS as readonly string[]).includes(action);

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
    action: z.enum(MEETING_ACTIONS),
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
  /** A secretary's topic suggestions and choice for a cell. `note` and `title` come from typed text only. */
  z.object({
    type: z.literal('topic'),
    action: z.enum(Object.keys(TOPIC_ACTIONS) as [TopicAction, ...TopicAction[]]),
    cellId: z.string().regex(/^[0-9a-z]{1,16}$/),
    arg: z
      .string()
      .regex(/^[0-9a-z-]{1,40}$/)
      .optional(),
    note: z.string().max(200).optional(),
    title: z.string().max(200).optional(),
  }),
  /** The preparation checklist of a meeting; with `step`, the secretary ticks (or unticks) that step. */
  z.object({
    type: z.literal('checklist'),
    meetingId: id,
    step: z.enum(MARKABLE_STEPS).optional(),
    done: z.boolean().optional(),
  }),
]);
export type Intent = z.infer<typeof intentSchema>;

/** Button intents as callback data: `a|<meeting>|p` and so on; ≤ 64 bytes by construction. */
export function encodeIntent(intent: Intent): string {
  switch (intent.type) {
    case 'answer':
      return `a|${intent.meetingId}|${intent.choice === 'present' ? 'p' : 'x'}|${intent.reason ?? ''}`;
    case 'ask_reason':
      return `r|${intent.meetingId}`;
    case 'meeting':
      return ['m', intent.action, intent.meetingId, intent.arg ?? ''].join('|');
    case 'join':
      return `j|${intent.cellId ?? ''}`;
    case 'join_decision':
      return `jd|${intent.requestId}|${intent.approve ? 'y' : 'n'}`;
    case 'topic':
      return ['t', TOPIC_ACTIONS[intent.action], intent.cellId, intent.arg ?? ''].join('|');
    case 'checklist':
      return intent.step
        ? ['k', intent.meetingId, intent.step, intent.done ? '1' : '0'].join('|')
        : `k|${intent.meetingId}`;
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
    case 'a': {
      const choice = b === 'p' ? 'present' : b === 'x' ? 'absent' : undefined;
      const reason = c || undefined;
      // Every tap's answer: checked here as the schema checks it, which is what the schema would return (a test
      // holds the two equal), without its cost. Anything else goes to the schema for its verdict.
      if (choice && ID.test(a) && (reason === undefined || isAbsenceReason(reason)))
        return { type: 'answer', meetingId: a, choice, reason };
      candidate = { type: 'answer', meetingId: a, choice: choice ?? '?', reason };
      break;
    }
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
    case 't':
      candidate = { type: 'topic', action: topicActionByCode.get(a) ?? '?', cellId: b, arg: c || undefined };
      break;
    case 'k':
      candidate = {
        type: 'checklist',
        meetingId: a,
        step: b || undefined,
        // A step comes with 1 or 0, the bare checklist with neither; anything else fails the schema.
        done: b ? (c === '1' ? true : c === '0' ? false : 'x') : c || undefined,
      };
      break;
    default:
      return undefined;
  }
  const parsed = intentSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Meeting actions that message other people at once: the reminders to those who have not answered, and the
 * notice sent now. A channel without buttons (Zalo) asks for a confirmation before a typed number sets one off.
 * (Cancelling is confirmed by its own question already.)
 */
const OUTREACH_ACTIONS: ReadonlySet<string> = new Set(['remind', 'hnotice']);
export const messagesOthers = (intent: Intent) =>
  intent.type === 'meeting' && OUTREACH_ACTIONS.has(intent.action);
