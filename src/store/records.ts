import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  CELL_KINDS,
  COMMITTEE_LEVELS,
  MEETING_KINDS,
  MEETING_STATES,
  MEMBER_STATUSES,
  ROLES,
  ROLL_CALL_STATES,
} from '../domain/types.js';

/**
 * What the store keeps, as zod schemas: documents are parsed on the way out, so a record written by an older
 * version (or by hand) fails loudly instead of flowing on half-formed. Personal data is the minimum: a display
 * name, channel IDs, role and status — no ID numbers.
 */

/** Short, URL- and callback-safe IDs (Telegram callback data is 64 bytes). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export function newId(length = 10): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

export const orgSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
});
export type Org = z.infer<typeof orgSchema>;

export const shiftPolicySchema = z.enum(['next_working_day', 'previous_working_day', 'none']);

export const cellSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  name: z.string(),
  kind: z.enum(CELL_KINDS),
  /** The secretary's own words, kept to show back; `rule` is what the generator uses. */
  schedulePhrase: z.string().optional(),
  scheduleRule: z.unknown().optional(),
  shift: shiftPolicySchema.default('next_working_day'),
  meetsOnWeekends: z.boolean().default(false),
  place: z.string().default(''),
  timeZone: z.string(),
  /** The cell's own Telegram group, bound by a secretary: notices are posted there with a count-only tally. */
  telegramGroupId: z.number().optional(),
  telegramGroupTitle: z.string().optional(),
  createdAt: z.number(),
});
export type Cell = z.infer<typeof cellSchema>;

export const channelNameSchema = z.enum(['telegram', 'zalo']);
export type ChannelName = z.infer<typeof channelNameSchema>;

export const personSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Telegram private chat ID (equals the user ID). */
  telegramId: z.number().optional(),
  zaloId: z.string().optional(),
  preferredChannel: channelNameSchema.optional(),
  /** Channels that refused a send permanently (blocked, chat gone); cleared when the person writes again. */
  unreachable: z.array(channelNameSchema).default([]),
  inviteCode: z.string(),
  locale: z.enum(['vi', 'en']).default('vi'),
  createdAt: z.number(),
});
export type Person = z.infer<typeof personSchema>;

/** A short-lived code (from /kenh) that links a person's second channel; not the roster invite code. */
export const channelLinkCodeSchema = z.object({
  personId: z.string(),
  /** The channel it links: one the person has not linked yet, and the only one it works on. */
  channel: channelNameSchema,
  expiresAt: z.number(),
});
export type ChannelLinkCode = z.infer<typeof channelLinkCodeSchema>;

export const membershipSchema = z.object({
  role: z.enum(ROLES),
  status: z.enum(MEMBER_STATUSES),
});
export type Membership = z.infer<typeof membershipSchema>;

export const meetingSchema = z.object({
  id: z.string(),
  cellId: z.string(),
  kind: z.enum(MEETING_KINDS),
  startsAt: z.number(),
  place: z.string().default(''),
  topicId: z.string().optional(),
  topicTitle: z.string().optional(),
  state: z.enum(MEETING_STATES),
  /** 'schedule' meetings come from the cell's rule (keyed by their slot); 'manual' ones from a secretary. */
  origin: z.enum(['schedule', 'manual']),
  /** For scheduled meetings: the rule's original slot (ms), so re-planning finds the same meeting. */
  slot: z.number().optional(),
  /**
   * For a scheduled meeting moved off the day its rule names: that day and why (a holiday's name, or a weekend),
   * shown to secretaries as "dời từ Thứ Bảy 06/02 vì Tết Nguyên đán". Cleared when a secretary moves it.
   */
  shift: z
    .object({ from: z.string(), holiday: z.string().optional(), provisional: z.boolean().optional() })
    .optional(),
  /** Bumped by every change a member should hear about; reminder IDs carry it. */
  version: z.number().int().default(1),
  rollCallClosedAt: z.number().optional(),
  updatedAt: z.number(),
});
export type Meeting = z.infer<typeof meetingSchema>;

export const answerSchema = z.object({
  choice: z.enum(['present', 'absent']),
  reason: z.string().optional(),
  at: z.number(),
});
export type Answer = z.infer<typeof answerSchema>;

export const rollCallEntrySchema = z.object({
  state: z.enum(ROLL_CALL_STATES),
  reason: z.string().optional(),
});
export type RollCallEntry = z.infer<typeof rollCallEntrySchema>;

export const guestSchema = z.object({
  registeredAt: z.number(),
  /** Set by the roll call: a visit counts only when the guest was present. */
  present: z.boolean().optional(),
});
export type Guest = z.infer<typeof guestSchema>;

/** A meeting's notice in its cell's group: the chat and the outbox key of the post its tally edits. */
export const groupPostSchema = z.object({
  cellId: z.string(),
  chatId: z.string(),
  postKey: z.string(),
});
export type GroupPost = z.infer<typeof groupPostSchema>;

export const committeeAssignmentSchema = z.object({
  personId: z.string(),
  level: z.enum(COMMITTEE_LEVELS),
  cellIds: z.array(z.string()),
  orgId: z.string(),
  /** When first assigned: the start of the first window of a rolling visit rule. */
  since: z.number().default(0),
  updatedAt: z.number().default(0),
});
export type CommitteeAssignment = z.infer<typeof committeeAssignmentSchema>;

/** Someone without an invite code asks to join a cell; one of its secretaries decides, once. */
export const joinRequestSchema = z.object({
  id: z.string(),
  cellId: z.string(),
  channel: channelNameSchema,
  /** The requester's channel user ID (also their private chat ID on both channels). */
  userId: z.string(),
  /** The full name they typed: the only personal data kept. */
  name: z.string(),
  state: z.enum(['open', 'approved', 'refused', 'lapsed']),
  createdAt: z.number(),
  decidedAt: z.number().optional(),
  decidedBy: z.string().optional(),
  /** The person made on approval. */
  personId: z.string().optional(),
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;
/** A thematic topic chosen for a meeting: from the library (topicId) or in the secretary's own words. */
export const topicUseSchema = z.object({
  meetingId: z.string(),
  topicId: z.string().optional(),
  title: z.string(),
  category: z.string().optional(),
  /** The meeting's local day, YYYY-MM-DD: what the repeat and rotation rules count from. */
  date: z.string(),
  chosenBy: z.string(),
  at: z.number(),
});
export type TopicUse = z.infer<typeof topicUseSchema>;

/** A preparation step the secretary ticked as done. */
export const checklistMarkSchema = z.object({ by: z.string(), at: z.number() });
export type ChecklistMark = z.infer<typeof checklistMarkSchema>;

export const auditEntrySchema = z.object({
  at: z.number(),
  actorId: z.string(),
  action: z.string(),
  subject: z.string(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Parses a stored JSON document, naming the key when it does not fit. */
export function parseDoc<T>(schema: z.ZodType<T>, key: string, raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(JSON.parse(raw));
  if (!parsed.success)
    throw new Error(`stored document ${key} does not fit its schema: ${parsed.error.message}`);
  return parsed.data;
}
