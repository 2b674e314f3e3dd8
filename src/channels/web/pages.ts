import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_REASON_LENGTH } from '../../../handlers/attendance.js';
import { ABSENCE_REASONS } from '../../domain/intents.js';
import { type Locale, type Params, t } from '../../i18n.js';
import type { AnswerRefusal } from '../../services/attendance.js';
import type { Services } from '../../services/index.js';
import type { Answer, Cell, Meeting, Person } from '../../store/records.js';
import { answerLabel } from '../../views/attendance.js';
import { kindInSentence, when } from '../../views/format.js';
import { escapeHtml } from '../html.js';
import { type HttpEnv, type HttpHandler, limitBody } from '../routes.js';
import { ANSWER_PATH, type AnswerLinkPayload, type LinkRefusal, type LinkSigner } from './links.js';

export interface AnswerPagesDeps {
  services: Services;
  signer: LinkSigner;
  now: () => number;
}

/** A form post carries one button's value and perhaps a short reason: nothing near this. */
const MAX_FORM_BYTES = 4096;

/** Every refusal as a page: its status, and the sentence that says what happened. */
const REFUSALS: Record<LinkRefusal | AnswerRefusal | 'gone' | 'invalid_form', [status: number, key: string]> =
  {
    malformed: [400, 'web.malformed'],
    invalid_form: [400, 'web.invalidForm'],
    tampered: [403, 'web.tampered'],
    not_member: [403, 'refuse.notMember'],
    expired: [410, 'refuse.expired'],
    cancelled: [410, 'refuse.cancelled'],
    not_found: [410, 'web.gone'],
    gone: [410, 'web.gone'],
  };
type Refusal = keyof typeof REFUSALS;

/** The buttons' values: "present", or the absence's reason. */
const formSchema = z.object({
  answer: z.enum(['present', ...ABSENCE_REASONS]),
  note: z.string().trim().max(MAX_REASON_LENGTH).optional(),
});

/**
 * The one-tap answer page behind every signed link: `GET /r/:token` shows the meeting and the member's answer
 * with real form buttons (no JavaScript needed), `POST /r/:token` records the answer through the same service as
 * a Telegram tap or a Zalo reply. A GET never changes anything, so link previews are harmless. Mount it with
 * `http.route('/', answerPages(deps))`.
 */
export function answerPages(deps: AnswerPagesDeps): Hono<HttpEnv> {
  const { services, signer } = deps;
  const { repos, attendance } = services;

  /** The link's person, once the token has proven itself; or the refusal page. */
  async function holder(
    token: string,
  ): Promise<{ person: Person; link: AnswerLinkPayload } | { refused: Refusal; locale?: Locale }> {
    const check = await signer.verify(token, deps.now());
    if (!check.ok) return { refused: check.reason };
    const person = await repos.people.get(check.payload.personId);
    return person ? { person, link: check.payload } : { refused: 'gone' };
  }

  async function page(person: Person, meeting: Meeting, answer: Answer | undefined, saved: boolean) {
    const cell = await repos.cells.get(meeting.cellId);
    if (!cell) return refusalPage('gone', person.locale);
    return { status: 200, html: answerPage(person, meeting, cell, answer, saved) };
  }

  const show: HttpHandler = async (c) => {
    const found = await holder(c.req.param('token') ?? '');
    if ('refused' in found) return sendPage(refusalPage(found.refused));
    const { person, link } = found;
    const open = await attendance.canAnswer(person.id, link.meetingId);
    if (!open.ok) return sendPage(refusalPage(open.reason, person.locale));
    const answer = await repos.meetings.answer(open.meeting.id, person.id);
    return sendPage(await page(person, open.meeting, answer, false));
  };

  const record: HttpHandler = async (c) => {
    const found = await holder(c.req.param('token') ?? '');
    if ('refused' in found) return sendPage(refusalPage(found.refused));
    const { person, link } = found;
    const form = readForm(await c.req.text());
    if (!form) return sendPage(refusalPage('invalid_form', person.locale));
    const choice = form.answer === 'present' ? 'present' : 'absent';
    const reason = form.answer === 'present' ? undefined : form.answer;
    // Only "another reason" takes the typed words; a quick reason is recorded as itself.
    const note = form.answer === 'other' ? form.note || undefined : undefined;
    const result = await attendance.recordAnswer(person.id, link.meetingId, choice, reason, note);
    if (!result.ok) return sendPage(refusalPage(result.reason, person.locale));
    return sendPage(await page(person, result.meeting, result.answer, true));
  };

  return new Hono<HttpEnv>().get(ANSWER_PATH, show).post(ANSWER_PATH, limitBody(MAX_FORM_BYTES), record);
}

function readForm(body: string) {
  const fields = new URLSearchParams(body);
  // One button, one answer: a crafted post naming two is not guessed between.
  if (fields.getAll('answer').length !== 1 || fields.getAll('note').length > 1) return undefined;
  const parsed = formSchema.safeParse({
    answer: fields.get('answer'),
    note: fields.get('note') ?? undefined,
  });
  return parsed.success ? parsed.data : undefined;
}

// --- HTML --------------------------------------------------------------------------------------------------

const translate = (locale: Locale) => ({
  locale,
  t: (key: string, params?: Params) => t(key, params, locale),
});

function answerPage(
  person: Person,
  meeting: Meeting,
  cell: Cell,
  answer: Answer | undefined,
  saved: boolean,
) {
  const words = translate(person.locale);
  const tx = (key: string, params?: Params) => escapeHtml(words.t(key, params));
  const place = meeting.place || cell.place;
  const absentWith = (reason: string) =>
    tx('answer.absentWithReason', { reason: words.t(`reason.${reason}`) });
  const quickReasons = ABSENCE_REASONS.filter((r) => r !== 'other');
  const body = `
<h1>${tx('invite.title', { kind: kindInSentence(words, meeting), cell: cell.name })}</h1>
${saved && answer ? `<p class="saved" role="status">${tx('answer.saved', { answer: answerLabel(words, answer) })}</p>` : ''}
<p>${tx('web.greeting', { name: person.name })}</p>
<ul>
<li>${tx('invite.when', { when: when(words, meeting, cell) })}</li>
${place ? `<li>${tx('invite.place', { place })}</li>` : ''}
${meeting.topicTitle ? `<li>${tx('invite.topic', { topic: meeting.topicTitle })}</li>` : ''}
</ul>
<p><strong>${answer ? tx('invite.current', { answer: answerLabel(words, answer) }) : tx('invite.ask')}</strong></p>
<form method="post">
<button name="answer" value="present" class="present">${tx('button.present')}</button>
</form>
<form method="post">
<fieldset>
<legend>${tx('web.absentLegend')}</legend>
${quickReasons.map((r) => `<button name="answer" value="${r}">${absentWith(r)}</button>`).join('\n')}
</fieldset>
</form>
<form method="post">
<fieldset>
<label for="note">${tx('web.noteLabel', { max: MAX_REASON_LENGTH })}</label>
<input id="note" name="note" maxlength="${MAX_REASON_LENGTH}" autocomplete="off">
<button name="answer" value="other">${tx('web.absentOther')}</button>
</fieldset>
</form>
<p class="muted">${tx('invite.documents')}</p>`;
  return layout(person.locale, words.t('web.title'), body);
}

function refusalPage(reason: Refusal, locale: Locale = 'vi') {
  const [status, key] = REFUSALS[reason];
  const words = translate(locale);
  const body = `<h1>${escapeHtml(words.t('web.refusedTitle'))}</h1>\n<p>${escapeHtml(words.t(key))}</p>`;
  return { status, html: layout(locale, words.t('web.refusedTitle'), body) };
}

function layout(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font:17px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1b1b1b}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.25rem;color:#a50e0e}
ul{padding-left:1.2rem}
form{margin:0 0 .75rem}
fieldset{border:1px solid #ccc;border-radius:.5rem;padding:.75rem}
button{display:block;width:100%;margin:.4rem 0;padding:.8rem;font-size:1.05rem;border:1px solid #999;border-radius:.5rem;background:#fff}
button.present{background:#1c6b2f;color:#fff;border-color:#1c6b2f}
input{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem}
.saved{background:#e4f4e6;border-left:4px solid #1c6b2f;padding:.5rem .75rem}
.muted,footer{color:#666;font-size:.9rem}
</style>
</head>
<body>
<main>
${body}
<footer>${escapeHtml(t('web.footer', {}, locale))}</footer>
</main>
</body>
</html>
`;
}

/** No caching, no referrer (the URL is the credential), no scripts, no framing. */
function sendPage({ status, html }: { status: number; html: string }): Response {
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex',
    },
  });
}
