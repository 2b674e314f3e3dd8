import { z } from 'zod';
import { commandKey, commandNamed } from '../../../handlers/index.js';
import { type AbsenceReason, decodeIntent, encodeIntent, type Intent } from '../../../handlers/intents.js';
import type { View } from '../../../handlers/views.js';
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
}

type Translate = (key: string, params?: Params) => string;

// --- Words -------------------------------------------------------------------------------------------------

interface Word {
  /** Lower case, without diacritics: "Ốm" → "om", "Đình" → "dinh". */
  norm: string;
  /** Where the word starts in the original text, to keep a reason in the member's own spelling. */
  start: number;
}

/** Runs of letters or of digits, so "2ốm" reads as "2 ốm" and punctuation separates words. */
const WORD = /\p{N}+|[\p{L}\p{M}]+/gu;

const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/đ/g, 'd');

function words(text: string): Word[] {
  return [...text.matchAll(WORD)].map((m) => ({ norm: fold(m[0]), start: m.index }));
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

// --- Answers -----------------------------------------------------------------------------------------------

const PRESENT = ['1', 'co', 'co mat', 'co di', 'co den'];
/** "2", "vắng", "xin vắng", "không đi được", "ko có mặt"… — what may open an absence, before its reason. */
const ABSENT = [
  '2',
  'vang',
  'vang mat',
  'xin vang',
  'xin phep vang',
  ...['khong', 'ko'].flatMap((no) =>
    ['', ' di', ' den', ' du', ' tham du', ' co mat', ' the di', ' the den', ' the du'].flatMap((verb) => [
      `${no}${verb}`,
      `${no}${verb} duoc`,
    ]),
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

/** The quick reason the words name ("đi công tác" → work), if any. */
export function reasonIn(text: string): AbsenceReason | undefined {
  const ws = withoutParticles(words(text));
  if (ws.map((w) => w.norm).join(' ') === 'khac') return 'other';
  return REASON_WORDS.find(([, phrases]) => phrases.some((p) => contains(ws, p)))?.[0];
}

export type AttendanceReply =
  | { choice: 'present' }
  | { choice: 'absent'; reason?: AbsenceReason; note?: string };

/**
 * A reply to an invitation: present, absent (with a reason code; anything unrecognised is `other` with the
 * member's words as the note), or undefined when it is not clearly either ("ok", "3", "có việc bận").
 */
export function parseAttendance(text: string): AttendanceReply | undefined {
  const ws = withoutParticles(words(text));
  if (ws.length === 0) return undefined;
  if (longestLeading(ws, PRESENT) === ws.length) return { choice: 'present' };
  let at = longestLeading(ws, ABSENT);
  if (at === 0) return undefined;
  for (let skip = longestLeading(ws.slice(at), CONNECTORS); skip > 0; ) {
    at += skip;
    skip = longestLeading(ws.slice(at), CONNECTORS);
  }
  const rest = ws.slice(at);
  const first = rest[0];
  if (!first) return { choice: 'absent' };
  // "2 3" names no reason: a number after the absence is a slip, not words to keep.
  if (rest.every((w) => /^\d+$/.test(w.norm))) return undefined;
  const reasonText = text.slice(first.start).trim();
  const reason = reasonIn(reasonText);
  if (reason) return { choice: 'absent', reason };
  return { choice: 'absent', reason: 'other', note: reasonText };
}

/** An invitation's options: "present" and "absent, ask why" for one meeting. */
function invitationOptions(options: readonly NumberedOption[]) {
  const present = options.find((o) => o.intent.type === 'answer' && o.intent.choice === 'present')?.intent;
  const askReason = options.find((o) => o.intent.type === 'ask_reason')?.intent;
  if (present?.type !== 'answer' || askReason?.type !== 'ask_reason') return undefined;
  if (present.meetingId !== askReason.meetingId) return undefined;
  return { meetingId: present.meetingId, present, askReason };
}

/**
 * Reads a reply against the chat's open question: the intent it chose, or undefined when the reply is not one
 * of the options (the caller asks again). An invitation takes words and reasons; any other question takes the
 * option's number or its label, and a list of reasons takes their names too.
 */
export function parseReply(text: string, options: readonly NumberedOption[]): Intent | undefined {
  const invitation = invitationOptions(options);
  if (invitation) {
    const reply = parseAttendance(text);
    if (!reply) return undefined;
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
export const looksLikeAnswer = (text: string) => parseAttendance(text) !== undefined;

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
 * Returns the options that the numbers stand for, to be kept as the chat's open question.
 */
export function renderZalo(view: View, t: Translate): OpenQuestion {
  const options = (view.choices ?? []).flat();
  const lines: string[] = [];
  if (view.toast && !view.toastOnly && view.toast !== view.text) lines.push(view.toast, '');
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
  return { text: lines.join('\n'), options };
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
  options: z.array(z.object({ label: z.string(), intent: z.string() })).min(1),
});

/** Options travel as the same compact intents as Telegram's callback data, and are decoded (validated) back. */
export const serializeQuestion = (q: OpenQuestion) =>
  JSON.stringify({
    text: q.text,
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
  return { text: stored.text, options: options as NumberedOption[] };
}
