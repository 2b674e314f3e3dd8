import { ABSENCE_REASONS, type Intent } from '../../domain/intents.js';
import type { Choice, View } from '../../domain/view.js';
import type { Params } from '../../i18n.js';
import type { Translate } from '../conversation.js';
import { escapeHtml } from '../html.js';

/** What a page adds to a view. */
export interface WebRenderOptions {
  /** A line after the heading that the view does not carry (the page's greeting). */
  intro?: string;
  /** A notice above the rest, where the view has no toast of its own (a question the page asks back). */
  notice?: string;
  /** The length the "another reason" field takes. */
  maxNote: number;
}

/**
 * A view as the body of a web page, the way Telegram and Zalo render the same view in their own markup: its
 * first line is the heading, its toast the notice of what was just done, each block of lines a paragraph, and
 * its choices form buttons that post back to the page. A page posts answers only, so an answer's choice is a
 * button naming it, and "Vắng" (which asks the reason on a chat) shows the reasons at once: a button for each
 * quick one and a field for the member's own words. Every text is escaped.
 */
export function renderWeb(view: View, t: Translate, options: WebRenderOptions): string {
  const [heading = '', ...rest] = view.text.split('\n');
  const notice = view.toast && !view.toastOnly && view.toast !== view.text ? view.toast : options.notice;
  const blocks = rest
    .join('\n')
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p>${block.split('\n').map(escapeHtml).join('<br>\n')}</p>`);
  return [
    `<h1>${escapeHtml(heading)}</h1>`,
    ...(notice ? [`<p class="saved" role="status">${escapeHtml(notice)}</p>`] : []),
    ...(options.intro ? [`<p>${escapeHtml(options.intro)}</p>`] : []),
    ...blocks,
    ...(view.choices ?? []).flat().flatMap((choice) => choiceForms(choice, t, options.maxNote)),
  ].join('\n');
}

/** The forms one choice becomes; none for a choice a page cannot post (only answers are). */
function choiceForms({ label, intent }: Choice, t: Translate, maxNote: number): string[] {
  if (intent.type === 'ask_reason') return reasonForms(t, maxNote);
  const value = answerValue(intent);
  if (!value) return [];
  const kind = value === 'present' ? ' class="present"' : '';
  return [
    `<form method="post">\n<button name="answer" value="${value}"${kind}>${escapeHtml(label)}</button>\n</form>`,
  ];
}

/** What the page's form posts for an answer: "present", or the absence's reason. */
function answerValue(intent: Intent): string | undefined {
  if (intent.type !== 'answer') return undefined;
  return intent.choice === 'present' ? 'present' : intent.reason;
}

function reasonForms(t: Translate, maxNote: number): string[] {
  const tx = (key: string, params?: Params) => escapeHtml(t(key, params));
  const quick = ABSENCE_REASONS.filter((r) => r !== 'other').map(
    (r) =>
      `<button name="answer" value="${r}">${tx('answer.absentWithReason', { reason: t(`reason.${r}`) })}</button>`,
  );
  return [
    `<form method="post">\n<fieldset>\n<legend>${tx('web.absentLegend')}</legend>\n${quick.join('\n')}\n</fieldset>\n</form>`,
    `<form method="post">
<fieldset>
<label for="note">${tx('web.noteLabel', { max: maxNote })}</label>
<input id="note" name="note" maxlength="${maxNote}" autocomplete="off">
<button name="answer" value="other">${tx('web.absentOther')}</button>
</fieldset>
</form>`,
  ];
}
