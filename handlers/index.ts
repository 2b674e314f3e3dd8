import type { Intent } from '../src/domain/intents.js';
import type { View } from '../src/domain/view.js';
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
import { type CommandName, commandNamed } from './commands.js';
import type { HandlerContext } from './context.js';
import { handleGroupCommand } from './group.js';
import { handleHelp } from './help.js';
import { handleHop } from './hop.js';
import { handleJoin, handleJoinDecision } from './join.js';
import { handleMeetingAction, handleSchedule, handleTally } from './meetings.js';
import { handleStart, looksLikeInviteCode } from './onboarding.js';
import { handleTopicIntent, handleTopicsCommand } from './topics.js';
import {
  handleCommittee,
  handleComplianceReport,
  handleImportCommittee,
  handleRegister,
  handleVisitDuty,
  handleVisitPlan,
  handleWithdraw,
} from './visits.js';

export type { Intent } from '../src/domain/intents.js';
export type { View } from '../src/domain/view.js';
export type { Services } from '../src/services/index.js';
export type { CommandName } from './commands.js';
export { COMMANDS, commandKey, commandNamed } from './commands.js';
export type { HandlerContext } from './context.js';

type Run = (ctx: HandlerContext, args: string) => Promise<View[]>;

/** What each command of the registry (./commands.ts) runs: a command without a handler does not compile. */
const RUN: Record<CommandName, Run> = {
  // "/start <code>" with a code from /kenh links a second channel; a roster invite code onboards.
  start: async (ctx, args) =>
    looksLikeChannelLinkCode(args)
      ? ((await handleChannelLinkCode(ctx, args)) ?? handleStart(ctx, args))
      : handleStart(ctx, args),
  lich: (ctx) => handleSchedule(ctx),
  kenh: handleChannelChoice,
  trogiup: (ctx) => handleHelp(ctx),
  hop: handleHop,
  diemdanh: (ctx, args) => handleTally(ctx, undefined, args),
  chuyende: (ctx) => handleTopicsCommand(ctx),
  chuanbi: (ctx) => handleChecklistCommand(ctx),
  nhom: handleGroupCommand,
  nhiemvu: (ctx) => handleVisitDuty(ctx),
  taodangbo: handleCreateOrg,
  taochibo: handleCreateCell,
  chibo: (ctx) => handleListCells(ctx),
  nhapds: handleImportRoster,
  moi: handleInvites,
  capuy: handleCommittee,
  nhapcapuy: handleImportCommittee,
  baocao: (ctx) => handleComplianceReport(ctx),
  kehoach: (ctx) => handleVisitPlan(ctx),
};

/** [Đăng ký dự] / [Rút đăng ký]: buttons as commands carrying the meeting ID; nobody types them. */
const BUTTON_COMMANDS: Record<string, Run> = {
  dangky: handleRegister,
  huydangky: handleWithdraw,
};

/**
 * Free text no question took: a command typed as a word ("lịch", "trogiup"); a code from /kenh links a second
 * channel; someone not yet linked who types an invite code is onboarding; anything else gets help.
 */
async function handleText(ctx: HandlerContext, text: string): Promise<View[]> {
  const command = commandNamed(text);
  if (command) return handle(ctx, { type: 'command', name: command, args: '' });
  if (looksLikeChannelLinkCode(text)) {
    const linked = await handleChannelLinkCode(ctx, text);
    if (linked) return linked;
  }
  if (!ctx.actor && looksLikeInviteCode(text)) return handleStart(ctx, text);
  return handleHelp(ctx);
}

/**
 * The one entry point: every channel's conversation (src/channels/conversation.ts) turns an update into an intent,
 * with the context it built, and renders the views this returns.
 */
export function handle(ctx: HandlerContext, intent: Intent): Promise<View[]> {
  // Not async: the handler's own promise is returned, not wrapped in one more (every tap comes this way).
  switch (intent.type) {
    case 'command': {
      const name = commandNamed(intent.name);
      const run = name
        ? RUN[name]
        : Object.hasOwn(BUTTON_COMMANDS, intent.name) && BUTTON_COMMANDS[intent.name];
      return run ? run(ctx, intent.args) : handleHelp(ctx, intent.name);
    }
    case 'text':
      return handleText(ctx, intent.text);
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
