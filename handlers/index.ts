import {
  handleCreateCell,
  handleCreateOrg,
  handleImportRoster,
  handleInvites,
  handleListCells,
} from './admin.js';
import { handleAnswer, handleAskReason } from './attendance.js';
import { handleChannelChoice } from './channels.js';
import type { HandlerContext } from './context.js';
import { handleGroupCommand } from './group.js';
import { handleHelp } from './help.js';
import type { Intent } from './intents.js';
import { handleMeetingAction, handleSchedule, handleTally } from './meetings.js';
import { handleStart, looksLikeInviteCode } from './onboarding.js';
import type { View } from './views.js';

export type { HandlerContext, Services } from './context.js';
export type { Intent } from './intents.js';
export type { View } from './views.js';

/**
 * Commands by their Vietnamese names; ASCII aliases let Zalo users type them without diacritics or a slash.
 * `start` stays English: Telegram's deep links send it.
 */
export const COMMANDS = [
  'start',
  'lich',
  'trogiup',
  'diemdanh',
  'hop',
  'taodangbo',
  'taochibo',
  'chibo',
  'nhapds',
  'moi',
  'kenh',
  'nhom',
] as const;
const ALIASES: Record<string, (typeof COMMANDS)[number]> = { help: 'trogiup', batdau: 'start' };

/** The one entry point: every channel turns its update into an intent and renders the views this returns. */
export async function handle(ctx: HandlerContext, intent: Intent): Promise<View[]> {
  switch (intent.type) {
    case 'command': {
      const name = ALIASES[intent.name] ?? intent.name;
      switch (name) {
        case 'start':
          return handleStart(ctx, intent.args);
        case 'lich':
          return handleSchedule(ctx);
        case 'trogiup':
          return handleHelp(ctx);
        case 'diemdanh':
          return handleTally(ctx);
        case 'kenh':
          return handleChannelChoice(ctx, intent.args);
        case 'taodangbo':
          return handleCreateOrg(ctx, intent.args);
        case 'taochibo':
          return handleCreateCell(ctx, intent.args);
        case 'chibo':
          return handleListCells(ctx);
        case 'nhapds':
          return handleImportRoster(ctx, intent.args);
        case 'moi':
          return handleInvites(ctx, intent.args);
        case 'nhom':
          return handleGroupCommand(ctx, intent.args);
        default:
          return handleHelp(ctx, intent.name);
      }
    }
    case 'text':
      // Someone not yet linked who types a code is onboarding; anything else gets help.
      if (!ctx.actor && looksLikeInviteCode(intent.text)) return handleStart(ctx, intent.text);
      return handleHelp(ctx);
    case 'answer':
      return handleAnswer(ctx, intent);
    case 'ask_reason':
      return handleAskReason(ctx, intent.meetingId);
    case 'meeting':
      return handleMeetingAction(ctx, intent.action, intent.meetingId, intent.arg);
  }
}
