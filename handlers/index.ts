import {
  handleCreateCell,
  handleCreateOrg,
  handleImportRoster,
  handleInvites,
  handleListCells,
} from './admin.js';
import { handleAnswer, handleAskReason } from './attendance.js';
import { handleChannelChoice, handleChannelLinkCode, looksLikeChannelLinkCode } from './channels.js';
import { handleChecklistCommand, handleChecklistIntent } from './checklist.js';
import type { HandlerContext } from './context.js';
import { foldKey } from './fold.js';
import { handleGroupCommand } from './group.js';
import { handleHelp } from './help.js';
import { handleHop } from './hop.js';
import type { Intent } from './intents.js';
import { handleJoin, handleJoinDecision } from './join.js';
import { handleMeetingAction, handleSchedule, handleTally } from './meetings.js';
import { handleStart, looksLikeInviteCode } from './onboarding.js';
import { handleTopicIntent, handleTopicsCommand } from './topics.js';
import type { View } from './views.js';
import {
  handleCommittee,
  handleComplianceReport,
  handleImportCommittee,
  handleRegister,
  handleVisitDuty,
  handleVisitPlan,
  handleWithdraw,
} from './visits.js';

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
  'chuyende',
  'chuanbi',
  'nhiemvu',
  'capuy',
  'nhapcapuy',
  'baocao',
  'kehoach',
  'nhom',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/**
 * Words people type for a command instead of its name: Zalo has no command menu, so every command is typed, and
 * a bare word works on Telegram too. Compared folded (no diacritics, case or spaces), so "Lịch", "lich" and
 * "lịch" are one, and a name's own Vietnamese spelling needs no entry; those listed anyway ("điểm danh", "họp")
 * are the words people type.
 */
const ALIASES: Record<string, CommandName> = {
  help: 'trogiup',
  'trợ giúp': 'trogiup',
  giúp: 'trogiup',
  'hướng dẫn': 'trogiup',
  'bắt đầu': 'start',
  'lịch họp': 'lich',
  'điểm danh': 'diemdanh',
  'chọn kênh': 'kenh',
  họp: 'hop',
};

/** How typed command names and aliases are compared ("Lịch họp!" → "lichhop"). */
export const commandKey = foldKey;

const COMMAND_BY_KEY = new Map<string, CommandName>([
  ...COMMANDS.map((name) => [name, name] as const),
  ...Object.entries(ALIASES).map(([alias, name]) => [commandKey(alias), name] as const),
]);

/** The command a typed name or alias stands for ("trợ giúp" → trogiup, "KÊNH" → kenh), if any. */
export const commandNamed = (typed: string): CommandName | undefined => COMMAND_BY_KEY.get(commandKey(typed));

/** The one entry point: every channel turns its update into an intent and renders the views this returns. */
export async function handle(context: HandlerContext, intent: Intent): Promise<View[]> {
  let ctx = context;
  // Whoever writes from a channel marked unreachable for them (they unblocked the bot) is reachable there again.
  if (ctx.actor?.unreachable.includes(ctx.channel))
    ctx = { ...ctx, actor: await ctx.services.people.markReachable(ctx.actor, ctx.channel) };
  switch (intent.type) {
    case 'command': {
      const name = commandNamed(intent.name) ?? intent.name;
      switch (name) {
        case 'start':
          // "/start <code>" with a code from /kenh links a second channel; a roster invite code onboards.
          if (looksLikeChannelLinkCode(intent.args))
            return (await handleChannelLinkCode(ctx, intent.args)) ?? handleStart(ctx, intent.args);
          return handleStart(ctx, intent.args);
        case 'lich':
          return handleSchedule(ctx);
        case 'trogiup':
          return handleHelp(ctx);
        case 'diemdanh':
          return handleTally(ctx, undefined, intent.args);
        case 'hop':
          return handleHop(ctx, intent.args);
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
        case 'chuyende':
          return handleTopicsCommand(ctx);
        case 'chuanbi':
          return handleChecklistCommand(ctx);
        case 'nhiemvu':
          return handleVisitDuty(ctx);
        case 'capuy':
          return handleCommittee(ctx, intent.args);
        case 'nhapcapuy':
          return handleImportCommittee(ctx, intent.args);
        case 'baocao':
          return handleComplianceReport(ctx);
        case 'kehoach':
          return handleVisitPlan(ctx);
        // [Đăng ký dự] / [Rút đăng ký]: buttons as commands carrying the meeting ID (not in the menu).
        case 'dangky':
          return handleRegister(ctx, intent.args);
        case 'huydangky':
          return handleWithdraw(ctx, intent.args);
        case 'nhom':
          return handleGroupCommand(ctx, intent.args);
        default:
          return handleHelp(ctx, intent.name);
      }
    }
    case 'text': {
      // A command typed as a word ("lịch", "trogiup"); a code from /kenh links a second channel; someone not
      // yet linked who types an invite code is onboarding; anything else gets help.
      const command = commandNamed(intent.text);
      if (command) return handle(ctx, { type: 'command', name: command, args: '' });
      if (looksLikeChannelLinkCode(intent.text)) {
        const linked = await handleChannelLinkCode(ctx, intent.text);
        if (linked) return linked;
      }
      if (!ctx.actor && looksLikeInviteCode(intent.text)) return handleStart(ctx, intent.text);
      return handleHelp(ctx);
    }
    case 'answer':
      return handleAnswer(ctx, intent);
    case 'ask_reason':
      return handleAskReason(ctx, intent.meetingId);
    case 'meeting':
      return handleMeetingAction(ctx, intent.action, intent.meetingId, intent.arg, intent.note);
    case 'join':
      return handleJoin(ctx, intent);
    case 'join_decision':
      return handleJoinDecision(ctx, intent);
    case 'topic':
      return handleTopicIntent(ctx, intent);
    case 'checklist':
      return handleChecklistIntent(ctx, intent);
  }
}
