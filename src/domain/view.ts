import type { Intent } from './intents.js';

/**
 * What a handler answers, whatever the channel: text plus optional choices. Telegram renders choices as an
 * inline keyboard, Zalo as numbered replies (it has no buttons), the web as form buttons.
 */
export interface Choice {
  label: string;
  intent: Intent;
}

export interface View {
  /** Plain text; channels escape it for their own markup. */
  text: string;
  /** Rows of choices. */
  choices?: Choice[][];
  /** A link the person may open (a signed one-tap answer page, a deep link). */
  link?: { label: string; url: string };
  /** Replace the message the tapped choice came from instead of sending a new one. */
  replace?: boolean;
  /** A short notice shown on the tap itself (Telegram's callback toast). */
  toast?: string;
  /** On a tap, the toast is the whole answer (a refusal): channels with toasts send no message. */
  toastOnly?: boolean;
  /** Sent to the person's private chat rather than where they asked (a group): e.g. asking their reason. */
  privately?: boolean;
  /** Asks the channel to take the person's next free text as this intent's note (e.g. an absence reason). */
  awaitText?: Intent;
  /**
   * A file sent back (a CSV report): Telegram sends it as a document captioned with `text`; Zalo, which sends no
   * files, puts its content in the text.
   */
  document?: { filename: string; content: string };
}

/** A refusal: a clear sentence, shown as the tap's toast where the channel has one; nothing else changes. */
export const refusal = (text: string): View => ({ text, toast: text, toastOnly: true });
