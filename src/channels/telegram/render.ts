import { InputFile } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { encodeIntent } from '../../domain/intents.js';
import type { View } from '../../domain/view.js';
import { escapeHtml } from '../html.js';

/** Telegram's limit on one message's text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

export interface TelegramMessage {
  text: string;
  parse_mode: 'HTML';
  reply_markup?: InlineKeyboardMarkup;
  link_preview_options: { is_disabled: true };
}

/** A view as sendMessage/editMessageText parameters: escaped HTML text and an inline keyboard. */
export function renderTelegram(view: View): TelegramMessage {
  // Loops rather than maps and spreads: every tap's reply is rendered here.
  const keyboard: InlineKeyboardButton[][] = [];
  for (const row of view.choices ?? []) {
    const buttons: InlineKeyboardButton[] = [];
    for (const choice of row)
      buttons.push({ text: choice.label, callback_data: encodeIntent(choice.intent) });
    keyboard.push(buttons);
  }
  if (view.link) keyboard.push([{ text: view.link.label, url: view.link.url }]);
  const message: TelegramMessage = {
    text: escapeHtml(view.text).slice(0, TELEGRAM_TEXT_LIMIT),
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };
  if (keyboard.length) message.reply_markup = { inline_keyboard: keyboard };
  return message;
}

/** Telegram's limit on a document's caption. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** A view carrying a file, as sendDocument's file and parameters: the text becomes the caption. */
export function renderTelegramDocument(view: View & { document: NonNullable<View['document']> }) {
  const { text, parse_mode, reply_markup } = renderTelegram(view);
  return {
    file: new InputFile(Buffer.from(view.document.content, 'utf8'), view.document.filename),
    other: {
      caption: text.slice(0, TELEGRAM_CAPTION_LIMIT),
      parse_mode,
      ...(reply_markup ? { reply_markup } : {}),
    },
  };
}
