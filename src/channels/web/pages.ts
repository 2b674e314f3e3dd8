import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_REASON_LENGTH } from '../../../handlers/attendance.js';
import { ABSENCE_REASONS, type Intent } from '../../domain/intents.js';
import type { View } from '../../domain/view.js';
import { type Locale, t } from '../../i18n.js';
import type { AnswerRefusal } from '../../services/attendance.js';
import type { Meeting, Person } from '../../store/records.js';
import { invitationView } from '../../views/attendance.js';
import { linkTurn, type TurnDeps, translate } from '../conversation.js';
import { escapeHtml } from '../html.js';
import { type HttpEnv, type HttpHandler, limitBody } from '../routes.js';
import { ANSWER_PATH, type AnswerLinkPayload, type LinkRefusal, type LinkSigner } from './links.js';
import { renderWeb } from './render.js';

export interface AnswerPagesDeps extends TurnDeps {
  signer: LinkSigner;
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
 * The one-tap answer page behind every signed link: `GET /r/:token` shows the member's invitation (the view a
 * chat shows) with real form buttons (no JavaScript needed), `POST /r/:token` is an answer intent taken through
 * the conversation and the handlers, as a Telegram tap or a Zalo reply is, and shows the view they answer.
 * A GET never changes anything, so link previews are harmless. Mount it with `http.route('/', answerPages(deps))`.
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

  /** The member's invitation as it stands, with a notice above it (a question asked back). */
  async function invitationPage(person: Person, meeting: Meeting, notice?: string) {
    const cell = await repos.cells.get(meeting.cellId);
    if (!cell) return refusalPage('gone', person.locale);
    const answer = await repos.meetings.answer(meeting.id, person.id);
    const words = { locale: person.locale, t: translate[person.locale] };
    return viewPage(person, invitationView(words, meeting, cell, answer), notice);
  }

  const show: HttpHandler = async (c) => {
    const found = await holder(c.req.param('token') ?? '');
    if ('refused' in found) return sendPage(refusalPage(found.refused));
    const { person, link } = found;
    const open = await attendance.canAnswer(person.id, link.meetingId);
    if (!open.ok) return sendPage(refusalPage(open.reason, person.locale));
    return sendPage(await invitationPage(person, open.meeting));
  };

  const record: HttpHandler = async (c) => {
    const found = await holder(c.req.param('token') ?? '');
    if ('refused' in found) return sendPage(refusalPage(found.refused));
    const { person, link } = found;
    const form = readForm(await c.req.text());
    if (!form) return sendPage(refusalPage('invalid_form', person.locale));
    // Only "another reason" takes the typed words; a quick reason is recorded as itself.
    const note = form.answer === 'other' ? form.note || undefined : undefined;
    const said: Intent =
      form.answer === 'present'
        ? { type: 'answer', meetingId: link.meetingId, choice: 'present' }
        : {
            type: 'answer',
            meetingId: link.meetingId,
            choice: 'absent',
            reason: form.answer,
            ...(note ? { note } : {}),
          };
    const turn = await linkTurn(deps, person, said);
    const [view] = turn.views;
    if (turn.failed || !view)
      return sendPage(textPage(500, view?.text ?? t('error.tapFailed'), person.locale));
    if (view.toastOnly) return sendPage(await refused(person, link.meetingId, view.text));
    // "Another reason" without its words: asked for them, over the invitation, as a chat would ask.
    if (view.awaitText) {
      const open = await attendance.canAnswer(person.id, link.meetingId);
      if (!open.ok) return sendPage(refusalPage(open.reason, person.locale));
      return sendPage(await invitationPage(person, open.meeting, view.text));
    }
    return sendPage(viewPage(person, view));
  };

  /**
   * The handlers' refusal as a page: the service says why (for the status, and the page's own sentence for a
   * meeting gone); a refusal it does not explain keeps the handlers' sentence.
   */
  async function refused(person: Person, meetingId: string, text: string) {
    const open = await attendance.canAnswer(person.id, meetingId);
    return open.ok ? textPage(409, text, person.locale) : refusalPage(open.reason, person.locale);
  }

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

function viewPage(person: Person, view: View, notice?: string) {
  const words = translate[person.locale];
  const body = renderWeb(view, words, {
    intro: words('web.greeting', { name: person.name }),
    maxNote: MAX_REASON_LENGTH,
    ...(notice ? { notice } : {}),
  });
  return { status: 200, html: layout(person.locale, words('web.title'), body) };
}

function refusalPage(reason: Refusal, locale: Locale = 'vi') {
  const [status, key] = REFUSALS[reason];
  return textPage(status, t(key, {}, locale), locale);
}

function textPage(status: number, text: string, locale: Locale) {
  const title = t('web.refusedTitle', {}, locale);
  const body = `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`;
  return { status, html: layout(locale, title, body) };
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
