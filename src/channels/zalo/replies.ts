import { z } from 'zod';
import { commandKey, commandNamed } from '../../../handlers/index.js';
import { type AbsenceReason, decodeIntent, encodeIntent, type Intent } from '../../domain/intents.js';
import { fold } from '../../domain/text.js';
import type { View } from '../../domain/view.js';
import type { Params } from '../../i18n.js';

/**
 * The numbered-reply protocol Zalo needs for having no buttons: a view's choices become numbered lines, the chat
 * keeps them as its latest open question, and a typed reply ("1", "2 ốm", "vang cong tac", "khong") is read back
 * into one of them — with or without diacritics, never by guessing. Pure: no I/O, the words come from `t`.
 */

/** Zalo's limit on one message's text (UTF-16 units, which is stricter than characters). */
export const ZALO_TEXT_LIMIT = 2000;

export interface NumberedOption {
  label: string;
  intent: Intent;
}

/** A chat's latest open question: the text that asked it (to ask again) and what each number means. */
export interface OpenQuestion {
  text: string;
  options: NumberedOption[];
  /** When it was asked (the injected clock): a bare number answers it for NUMBER_TTL_MS only. */
  askedAt: number;
  /** A confirmation of an action that messages others: its one option is what "1" (or "xác nhận") does. */
  confirm?: boolean;
}

type Translate = (key: string, params?: Params) => string;

// --- Words -------------------------------------------------------------------------------------------------

interface Word {
  /** Lower case, without diacritics: "Ốm" → "om", "Đình" → "dinh". */
  norm: string;
  /** Lower case as written (NFC): tells "vâng" from "vắng", which fold alike. */
  raw: string;
  /** Where the word starts in the original text, to keep a reason in the member's own spelling. */
  start: number;
}

/** Runs of letters or of digits, so "2ốm" reads as "2 ốm" and punctuation separates words. */
const WORD = /\p{N}+|[\p{L}\p{M}]+/gu;

function words(text: string): Word[] {
  return [...text.matchAll(WORD)].map((m) => ({
    norm: fold(m[0]),
    raw: m[0].normalize('NFC').toLowerCase(),
    start: m.index,
  }));
}

/** "Có mặt!" → "co mat": how replies, labels and keywords are compared. */
export const normalize = (text: string) =>
  words(text)
    .map((w) => w.norm)
    .join(' ');

/** Polite endings that change nothing: "có ạ", "2 nhé" (not "nha": folded, it is also "nhà"). */
const PARTICLES = new Set(['a', 'ah', 'nhe']);

function withoutParticles(ws: Word[]): Word[] {
  let end = ws.length;
  while (end > 0 && PARTICLES.has(ws[end - 1]?.norm ?? '')) end--;
  return ws.slice(0, end);
}

/** How many leading words spell `phrase`, or 0. */
function leading(ws: Word[], phrase: string): number {
  const parts = phrase.split(' ');
  return parts.every((part, i) => ws[i]?.norm === part) ? parts.length : 0;
}

/** The longest of `phrases` that the words start with: how many words it takes, or 0. */
const longestLeading = (ws: Word[], phrases: readonly string[]) =>
  Math.max(0, ...phrases.map((p) => leading(ws, p)));

const contains = (ws: Word[], phrase: string) => ws.some((_, i) => leading(ws.slice(i), phrase) > 0);
const isNumber = (w: Word | undefined) => w !== undefined && /^\d+$/.test(w.norm);

// --- Answers -----------------------------------------------------------------------------------------------

/**
 * How a reply to an invitation is read, as a Vietnamese speaker reads it (the table test lists each case):
 * - Yes: "có", "có mặt", "có đi", "đi", "dự", "tham dự", "sẽ đến", "đi được", each possibly after "dạ", "vâng"
 *   or a subject ("tôi", "em", "mình", "con", "cháu"): "dạ có", "tôi đi", "vâng, có mặt", "dạ vâng"; "vâng"
 *   alone (written with its diacritics) is yes too.
 * - No: "vắng", "vắng mặt", "xin (phép) vắng", and a negated attendance — "không", "không đi được", "không dự
 *   được", "ko có mặt" — are an absence; a reason may follow ("vắng vì ốm", "không đi được, về quê").
 * - Never guessed, asked back with both choices: "vang" without diacritics standing alone or before words that
 *   name no reason ("vâng" or "vắng"?), and a negated absence ("không vắng", "ko vang": does it mean "I will not
 *   be absent", or "no — absent"?). "vang" before a reason ("vang om", "vang vi ...", "vang mat") is "vắng":
 *   "vâng ốm" says nothing; before "có mặt" it is "vâng".
 * - A number: "1", "2", "2 ốm" — answers only the question that asked it. "1 = Có mặt" (a copy of the prompt,
 *   the number agreeing with its words) is read by its words.
 */
const PRESENT = [
  'co',
  'co mat',
  'co di',
  'co den',
  'co du',
  'co tham du',
  ...['', 'se '].flatMap((will) =>
    ['di', 'den', 'du', 'tham du', 'co mat'].flatMap((verb) => [`${will}${verb}`, `${will}${verb} duoc`]),
  ),
];
/** Words before an answer that change nothing: "dạ", "tôi", "em"… ("vâng" is checked as written). */
const LEAD_INS = new Set(['toi', 'em', 'minh', 'con', 'chau']);
const NEGATIONS = ['khong', 'ko', 'k', 'khg', 'chang'];
/** "vắng", "xin vắng", "không đi được", "ko có mặt"… — what may open an absence, before its reason. */
const ABSENT = [
  'vang',
  'vang mat',
  'xin vang',
  'xin phep vang',
  ...NEGATIONS.flatMap((no) =>
    ['', ' co', ' di', ' den', ' du', ' tham du', ' co mat', ' the di', ' the den', ' the du'].flatMap(
      (verb) => [`${no}${verb}`, `${no}${verb} duoc`],
    ),
  ),
];
/** Words between the absence and its reason: "vắng vì ốm", "2 do công tác", "vắng, lý do: ốm". */
const CONNECTORS = ['vi', 'do', 'ly do', 'la'];
/** Words that name a quick reason anywhere in it; checked in this order. */
const REASON_WORDS: [Exclude<AbsenceReason, 'other'>, string[]][] = [
  ['sick', ['om', 'benh', 'sot', 'nam vien']],
  ['work', ['cong tac']],
  ['family', ['gia dinh', 'viec nha']],
];

const reasonOf = (ws: Word[]) =>
  REASON_WORDS.find(([, phrases]) => phrases.some((p) => contains(ws, p)))?.[0];

/** The quick reason the words name ("đi công tác" → work), if any. */
export function reasonIn(text: string): AbsenceReason | undefined {
  const ws = withoutParticles(words(text));
  if (ws.map((w) => w.norm).join(' ') === 'khac') return 'other';
  return reasonOf(ws);
}

export type AttendanceReply =
  | { choice: 'present' }
  | { choice: 'absent'; reason?: AbsenceReason; note?: string };

/** Why a reply is asked back rather than read: "vang" (vâng or vắng?), or a negated absence ("không vắng"). */
export type Unsure = { unsure: 'vang' | 'negation' };

/** A reply read against an invitation; `numbered` when it is a bare number's ("1", "2 ốm"), not words. */
export interface AttendanceReading {
  reply: AttendanceReply | Unsure;
  numbered: boolean;
}

const PRESENT_REPLY: AttendanceReply = { choice: 'present' };

/** The absence the words open ("vắng vì ốm"), its reason kept in the member's spelling; undefined if none. */
function absence(ws: Word[], text: string, opened = longestLeading(ws, ABSENT)): AttendanceReply | undefined {
  let at = opened;
  if (at === 0) return undefined;
  for (let skip = longestLeading(ws.slice(at), CONNECTORS); skip > 0; ) {
    at += skip;
    skip = longestLeading(ws.slice(at), CONNECTORS);
  }
  const rest = ws.slice(at);
  const first = rest[0];
  if (!first) return { choice: 'absent' };
  // "2 3" names no reason: a number after the absence is a slip, not words to keep.
  if (rest.every(isNumber)) return undefined;
  const reasonText = text.slice(first.start).trim();
  const reason = reasonIn(reasonText);
  if (reason) return { choice: 'absent', reason };
  return { choice: 'absent', reason: 'other', note: reasonText };
}

/** Words (no leading number) read as an answer, or undefined when they are not one. */
function readWords(all: Word[], text: string): AttendanceReply | Unsure | undefined {
  let i = 0;
  let yes = false;
  for (; i < all.length; i++) {
    const w = all[i] as Word;
    if (w.raw === 'vâng') yes = true;
    else if (!(w.raw === 'dạ' || w.raw === 'da' || LEAD_INS.has(w.norm))) break;
  }
  const ws = all.slice(i);
  const [head, ...after] = ws;
  if (!head) return yes ? PRESENT_REPLY : undefined;
  if (longestLeading(ws, PRESENT) === ws.length) return PRESENT_REPLY;
  if (head.norm === 'vang' && head.raw !== 'vắng') {
    // Without its marks: "vâng" or "vắng"? Only what follows can tell.
    if (after.length === 0) return { unsure: 'vang' };
    if (longestLeading(after, PRESENT) === after.length) return PRESENT_REPLY;
    const saysAbsent =
      leading(after, 'mat') > 0 || longestLeading(after, CONNECTORS) > 0 || reasonOf(after) !== undefined;
    return saysAbsent ? absence(ws, text) : { unsure: 'vang' };
  }
  if (NEGATIONS.includes(head.norm) && after[0]?.norm === 'vang') return { unsure: 'negation' };
  return absence(ws, text);
}

/** A reply to an invitation: its answer, the reason it is asked back, or undefined when it is not an answer. */
export function readAttendance(text: string): AttendanceReading | undefined {
  const ws = withoutParticles(words(text));
  const [first, ...rest] = ws;
  if (!first) return undefined;
  if (!isNumber(first)) {
    const reply = readWords(ws, text);
    return reply && { reply, numbered: false };
  }
  // A copy of the prompt: "1 = Có mặt", "2 = Vắng ốm", the number agreeing with its words.
  const said = rest.length > 0 ? readWords(rest, text) : undefined;
  const agrees = said && 'choice' in said && said.choice === { '1': 'present', '2': 'absent' }[first.norm];
  if (agrees) return { reply: said, numbered: false };
  if (first.norm === '1') return rest.length === 0 ? { reply: PRESENT_REPLY, numbered: true } : undefined;
  if (first.norm !== '2') return undefined;
  const reply = absence(ws, text, 1);
  return reply && { reply, numbered: true };
}

/** A reply to an invitation that is clearly present or absent; undefined for anything else, asked back. */
export function parseAttendance(text: string): AttendanceReply | undefined {
  const reply = readAttendance(text)?.reply;
  return reply && 'choice' in reply ? reply : undefined;
}

/** An invitation's options: "present" and "absent, ask why" for one meeting. */
export function invitationOptions(options: readonly NumberedOption[]) {
  const present = options.find((o) => o.intent.type === 'answer' && o.intent.choice === 'present')?.intent;
  const askReason = options.find((o) => o.intent.type === 'ask_reason')?.intent;
  if (present?.type !== 'answer' || askReason?.type !== 'ask_reason') return undefined;
  if (present.meetingId !== askReason.meetingId) return undefined;
  return { meetingId: present.meetingId, present, askReason };
}

/** The intent an answer stands for, against an invitation's options. */
function answerIntent(reply: AttendanceReply, options: readonly NumberedOption[]): Intent | undefined {
  const invitation = invitationOptions(options);
  if (!invitation) return undefined;
  if (reply.choice === 'present') return invitation.present;
  if (!reply.reason) return invitation.askReason;
  return {
    type: 'answer',
    meetingId: invitation.meetingId,
    choice: 'absent',
    reason: reply.reason,
    ...(reply.note ? { note: reply.note } : {}),
  };
}

/**
 * Reads a reply against one question's options: the intent it chose, or undefined when the reply is not clearly
 * one of them (the caller asks again). An invitation takes words and reasons; any other question takes the
 * option's number or its label, and a list of reasons takes their names too. No clock: `readReply` adds it.
 */
export function parseReply(text: string, options: readonly NumberedOption[]): Intent | undefined {
  if (invitationOptions(options)) {
    const reply = parseAttendance(text);
    return reply && answerIntent(reply, options);
  }
  const said = withoutParticles(words(text))
    .map((w) => w.norm)
    .join(' ');
  if (/^\d+$/.test(said)) return options[Number(said) - 1]?.intent;
  const byLabel = options.filter((o) => normalize(o.label) === said);
  if (byLabel.length === 1) return byLabel[0]?.intent;
  // Only words here: "2 ốm" to a list where 2 is "Công tác" is ambiguous.
  if (/\d/.test(said)) return undefined;
  const reason = reasonIn(text);
  return options.find((o) => o.intent.type === 'answer' && reason && o.intent.reason === reason)?.intent;
}

/** Whether a message reads as an answer at all: with no question open, it is worth saying so. */
export const looksLikeAnswer = (text: string) => readAttendance(text) !== undefined;

/** How long a bare number answers the question that asked it; after that it is asked back. */
export const NUMBER_TTL_MS = 5 * 60_000;

/** Confirmation words: "1", "xác nhận", "đồng ý", "có"; and their opposite. */
const CONFIRM = ['1', 'xac nhan', 'dong y', 'co', 'ok', 'gui'];
const CANCEL = ['2', 'thoi', 'khong', 'ko', 'huy', 'khong gui'];

/** What a typed reply means for a chat, read by `readReply`. */
export type ReplyReading =
  /** Handle this intent. */
  | { kind: 'intent'; intent: Intent }
  /** A bare number chose an action that messages other people: ask for a confirmation first. */
  | { kind: 'confirm'; option: NumberedOption }
  /** The confirmation was declined: nothing is sent. */
  | { kind: 'cancelled' }
  /** "vang" or "không vắng": the invitation it would answer, asked back with its two choices. */
  | { kind: 'unsure'; why: Unsure['unsure']; question: OpenQuestion }
  /** A number (or a confirmation) for a question asked too long ago: asked back, the question re-shown. */
  | { kind: 'expired' }
  /** Not one of the open question's options: the question again. */
  | { kind: 'unclear' }
  /** Nothing open to read it against. */
  | { kind: 'none' };

export interface ReplyContext {
  /** The chat's latest question, if it is still kept. */
  question: OpenQuestion | undefined;
  /** The member's latest invitation (its question), which words that name an answer go to. */
  invitation: OpenQuestion | undefined;
  now: number;
  /** Whether choosing this intent messages other people (reminders, the notice): it needs a confirmation. */
  messagesOthers: (intent: Intent) => boolean;
}

/**
 * What a typed reply means, never a guess: words that name an answer go to the latest invitation whatever was
 * asked since; a bare number answers only the open question, and (but for an invitation's) only for
 * NUMBER_TTL_MS after it was asked;
 * a number that would message other people asks for a confirmation; an ambiguous answer is asked back.
 */
export function readReply(text: string, at: ReplyContext): ReplyReading {
  const { question, invitation, now } = at;
  // An invitation's numbers hold while it is the open question: its own text carries them, and the meeting's start
  // ends it (the answer is refused then). Any other question's numbers answer it for NUMBER_TTL_MS only.
  const fresh =
    question !== undefined &&
    (invitationOptions(question.options) !== undefined || now - question.askedAt <= NUMBER_TTL_MS);
  const said = withoutParticles(words(text))
    .map((w) => w.norm)
    .join(' ');
  if (question?.confirm) {
    const option = question.options[0];
    const yes = CONFIRM.includes(said) || (option !== undefined && normalize(option.label) === said);
    if (yes || CANCEL.includes(said)) {
      if (!fresh) return { kind: 'expired' };
      return yes && option ? { kind: 'intent', intent: option.intent } : { kind: 'cancelled' };
    }
  }
  const attendance = readAttendance(text);
  const numbered = /^\d/.test(said) && attendance?.numbered !== false;
  if (numbered) {
    if (!question) return { kind: 'none' };
    if (!fresh) return { kind: 'expired' };
    const intent = parseReply(text, question.options);
    if (!intent) return { kind: 'unclear' };
    if (at.messagesOthers(intent)) {
      const option = question.options.find((o) => o.intent === intent);
      return option ? { kind: 'confirm', option } : { kind: 'unclear' };
    }
    return { kind: 'intent', intent };
  }
  if (question && !question.confirm && !invitationOptions(question.options)) {
    const intent = parseReply(text, question.options);
    if (intent && !at.messagesOthers(intent)) return { kind: 'intent', intent };
  }
  if (attendance) {
    const target = [question, invitation].find((q) => q && invitationOptions(q.options));
    if (!target) return { kind: question ? 'unclear' : 'none' };
    if ('unsure' in attendance.reply)
      return { kind: 'unsure', why: attendance.reply.unsure, question: target };
    const intent = answerIntent(attendance.reply, target.options);
    return intent ? { kind: 'intent', intent } : { kind: 'unclear' };
  }
  return { kind: question ? 'unclear' : 'none' };
}

// --- Commands ----------------------------------------------------------------------------------------------

/**
 * A typed command: "/lich", "/start KL7Q2M", "/kenh zalo", or a whole message that is a command's name or alias,
 * with or without diacritics ("lịch", "trợ giúp", "kênh"; the table is the handlers'). Undefined for anything
 * else, answers included.
 */
export function parseCommand(text: string): Extract<Intent, { type: 'command' }> | undefined {
  const trimmed = text.trim();
  const slash = /^\/(\S+?)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!slash) {
    const name = commandNamed(trimmed);
    return name ? { type: 'command', name, args: '' } : undefined;
  }
  const typed = slash[1] ?? '';
  const name = commandNamed(typed) ?? commandKey(typed).slice(0, 32);
  return name ? { type: 'command', name, args: (slash[2] ?? '').trim() } : undefined;
}

// --- Rendering ---------------------------------------------------------------------------------------------

/**
 * A view as Zalo text: the toast first (Zalo has none, and it is the confirmation), the text, the choices as
 * numbered lines — an invitation's as "Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)" — and the link.
 * Returns the options that the numbers stand for and the question alone (without the toast: asking again shows
 * no old "Đã ghi: …"), to be kept as the chat's open question.
 */
export function renderZalo(view: View, t: Translate): RenderedView {
  const options = (view.choices ?? []).flat();
  const toast = view.toast && !view.toastOnly && view.toast !== view.text ? [view.toast, ''] : [];
  const lines: string[] = [];
  lines.push(view.text);
  if (options.length > 0) {
    lines.push('');
    if (invitationOptions(options)) lines.push(t('zalo.answerPrompt'));
    else
      lines.push(
        t('zalo.choicesPrompt'),
        ...options.map((o, i) => t('zalo.choice', { number: i + 1, label: o.label })),
      );
  }
  if (view.link) lines.push(`${view.link.label}: ${view.link.url}`);
  // Zalo bots send no files: a document (a CSV report) comes as its text, to copy into a spreadsheet.
  if (view.document)
    lines.push(
      '',
      t('visits.document.inline', { filename: view.document.filename }),
      view.document.content
        .replace(/^\uFEFF/, '')
        .replace(/\r\n/g, '\n')
        .trimEnd(),
    );
  return { text: [...toast, ...lines].join('\n'), question: lines.join('\n'), options };
}

/** A view as Zalo text, with its options and the question they answer. */
export interface RenderedView {
  text: string;
  question: string;
  options: NumberedOption[];
}

/**
 * Splits text into messages of at most `limit` UTF-16 units, on line boundaries; only a line longer than a
 * whole message is cut, at a space when it has one, never inside a character.
 */
export function splitForZalo(text: string, limit = ZALO_TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let current: string | undefined;
  for (const line of text.split('\n').flatMap((l) => cutLine(l, limit))) {
    if (current !== undefined && current.length + 1 + line.length <= limit) current += `\n${line}`;
    else {
      if (current !== undefined) chunks.push(current);
      current = line;
    }
  }
  if (current !== undefined) chunks.push(current);
  // Zalo refuses an empty text; a message of blank lines says nothing anyway.
  return chunks.filter((c) => c.trim() !== '');
}

function cutLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf(' ', limit);
    if (cut <= 0) cut = isHighSurrogate(rest.charCodeAt(limit - 1)) ? limit - 1 : limit;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(rest[cut] === ' ' ? cut + 1 : cut);
  }
  return [...pieces, rest];
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

// --- Keeping the open question ------------------------------------------------------------------------------

const storedQuestionSchema = z.object({
  text: z.string(),
  /** Questions kept before this field are as old as can be: a number asks them back. */
  askedAt: z.number().default(0),
  confirm: z.boolean().optional(),
  options: z.array(z.object({ label: z.string(), intent: z.string() })).min(1),
});

/** Options travel as the same compact intents as Telegram's callback data, and are decoded (validated) back. */
export const serializeQuestion = (q: OpenQuestion) =>
  JSON.stringify({
    text: q.text,
    askedAt: q.askedAt,
    ...(q.confirm ? { confirm: true } : {}),
    options: q.options.map((o) => ({ label: o.label, intent: encodeIntent(o.intent) })),
  });

export function parseQuestion(raw: string | undefined): OpenQuestion | undefined {
  if (raw === undefined) return undefined;
  let stored: z.infer<typeof storedQuestionSchema>;
  try {
    stored = storedQuestionSchema.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
  const options = stored.options.map((o) => ({ label: o.label, intent: decodeIntent(o.intent) }));
  if (options.some((o) => !o.intent)) return undefined;
  return {
    text: stored.text,
    askedAt: stored.askedAt,
    ...(stored.confirm ? { confirm: true } : {}),
    options: options as NumberedOption[],
  };
}
