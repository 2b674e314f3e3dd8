import type { View } from '../src/domain/view.js';
import type { HandlerContext } from './context.js';
import { joinOffer } from './join.js';

/** Invite codes as the roster hands them out: 6 letters and digits (see PeopleRepo.newInviteCode). */
const INVITE_CODE = /^[A-Za-z0-9]{6}$/;

export const looksLikeInviteCode = (text: string) => INVITE_CODE.test(text.trim());

/**
 * /start [code], or a bare code typed on Zalo: link this account to a roster person (a code works once), or
 * redeem the first admin's bootstrap code.
 */
export async function handleStart(ctx: HandlerContext, rawCode: string): Promise<View[]> {
  const code = rawCode.trim();
  if (!code) {
    if (ctx.actor) return [{ text: ctx.t('start.already', { name: ctx.actor.name }) }];
    return [{ text: ctx.t('start.noCode'), choices: [[joinOffer(ctx)]] }];
  }
  const { people } = ctx.services;
  const admin = await people.redeemBootstrap(code, ctx.channel, ctx.userId, ctx.displayName);
  if (admin) {
    // The first admin's menu gains the admins' commands in their own chat.
    await ctx.services.menus.refresh([admin.id]);
    return [{ text: ctx.t('start.admin', { name: admin.name }) }];
  }

  const result = await people.linkWithCode(code, ctx.channel, ctx.userId);
  if (result.ok) {
    // A secretary's or committee member's menu gains their commands in their own chat.
    await ctx.services.menus.refresh([result.person.id]);
    return [{ text: ctx.t('start.welcome', { name: result.person.name }) }];
  }
  switch (result.reason) {
    case 'unknown_code':
      return [{ text: ctx.t('start.unknownCode', { code: code.slice(0, 32) }) }];
    case 'used_code':
      return [{ text: ctx.t('start.usedCode') }];
    case 'already_linked_other':
      return [{ text: ctx.t('start.otherPerson') }];
  }
}
