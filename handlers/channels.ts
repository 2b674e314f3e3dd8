import { refusal, type View } from '../src/domain/view.js';
import { CHANNELS, deliveryChannel, linkedChannels } from '../src/services/channels.js';
import { CHANNEL_LINK_CODE_TTL_MS, channelLinkCodeOf } from '../src/services/people.js';
import { type ChannelName, channelNameSchema, type Person } from '../src/store/records.js';
import type { HandlerContext } from './context.js';
import { foldKey } from './fold.js';

/** What `/kenh <arg>` takes as "give me a code to link my other channel" ("mã", "ma", "mã liên kết", "code"). */
const CODE_ARGS = new Set(['ma', 'malienket', 'lienket', 'code']);

/**
 * /kenh [telegram|zalo|mã]: where invitations and reminders go. Without an argument it says where they go now
 * and offers the choice to a person linked on both channels, or a code to link the other one; with a channel it
 * sets the preferred one; with "mã" it gives that code.
 */
export async function handleChannelChoice(ctx: HandlerContext, args: string): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const name = (channel: ChannelName) => ctx.t(`delivery.channel.${channel}`);
  const wanted = args.trim().toLowerCase();
  if (wanted && CODE_ARGS.has(foldKey(wanted))) return issueLinkCode(ctx, actor);
  if (wanted) {
    const channel = channelNameSchema.safeParse(wanted);
    if (!channel.success) return [refusal(ctx.t('kenh.unknown', { channel: wanted.slice(0, 20) }))];
    const updated = await ctx.services.people.setPreferredChannel(actor, channel.data);
    if (!updated) return [refusal(ctx.t('kenh.notLinked', { channel: name(channel.data) }))];
    return [{ text: describe(ctx, updated.preferredChannel, deliveryChannel(updated), 'kenh.saved') }];
  }
  const linked = linkedChannels(actor);
  const current = describe(ctx, actor.preferredChannel, deliveryChannel(actor), 'kenh.current');
  const other = CHANNELS.find((channel) => !linked.includes(channel));
  if (other) {
    return [
      {
        text: [current, ctx.t('kenh.onlyOne'), ctx.t('kenh.code.hint', { channel: name(other) })].join('\n'),
        choices: [
          [
            {
              label: ctx.t('kenh.code.offer', { channel: name(other) }),
              intent: { type: 'command', name: 'kenh', args: 'ma' },
            },
          ],
        ],
      },
    ];
  }
  return [
    {
      text: [current, ctx.t('kenh.choose')].join('\n'),
      choices: [
        linked.map((channel) => ({
          label: name(channel),
          intent: { type: 'command', name: 'kenh', args: channel },
        })),
      ],
    },
  ];
}

/** The instructions, then the code alone, so it is easy to copy into the other app. */
async function issueLinkCode(ctx: HandlerContext, actor: Person): Promise<View[]> {
  const issued = await ctx.services.people.issueChannelLinkCode(actor);
  if (!issued.ok) return [refusal(ctx.t('kenh.code.bothLinked'))];
  const channel = ctx.t(`delivery.channel.${issued.channel}`);
  const minutes = Math.round(CHANNEL_LINK_CODE_TTL_MS / 60_000);
  return [{ text: ctx.t('kenh.code.issued', { channel, minutes }) }, { text: issued.code }];
}

/** Whether a message has the shape of a code from /kenh (eight letters and digits), not of an invite code. */
export const looksLikeChannelLinkCode = (text: string) => channelLinkCodeOf(text) !== undefined;

/**
 * A code from /kenh sent on the person's other channel: links this account to them, then offers the choice of
 * channel. Undefined when a linked person's message only looks like a code (no such code exists): it is words.
 */
export async function handleChannelLinkCode(ctx: HandlerContext, text: string): Promise<View[] | undefined> {
  const { people } = ctx.services;
  if (ctx.actor && !(await people.isChannelLinkCode(text))) return undefined;
  const result = await people.redeemChannelLinkCode(text, ctx.channel, ctx.userId);
  const name = (channel: ChannelName) => ctx.t(`delivery.channel.${channel}`);
  if (result.ok) {
    const linked = ctx.t('kenh.linked', { channel: name(result.channel), name: result.person.name });
    const [choice] = await handleChannelChoice({ ...ctx, actor: result.person }, '');
    return [choice ? { ...choice, text: [linked, '', choice.text].join('\n') } : { text: linked }];
  }
  const minutes = Math.round(CHANNEL_LINK_CODE_TTL_MS / 60_000);
  switch (result.reason) {
    case 'unknown_code':
      return [refusal(ctx.t('kenh.code.unknown', { code: text.trim().slice(0, 16), minutes }))];
    case 'expired_code':
      return [refusal(ctx.t('kenh.code.expired', { minutes }))];
    case 'used_code':
      return [refusal(ctx.t('kenh.code.used'))];
    case 'wrong_channel':
      return [refusal(ctx.t('kenh.code.wrongChannel', { channel: name(result.channel) }))];
    case 'already_linked':
      return [refusal(ctx.t('kenh.code.already', { name: ctx.actor?.name ?? '' }))];
    case 'already_linked_other':
      return [refusal(ctx.t('kenh.code.otherPerson', { channel: name(ctx.channel) }))];
    case 'other_account':
      return [refusal(ctx.t('kenh.code.otherAccount', { channel: name(result.channel) }))];
  }
}

/** "Đang gửi qua Zalo", and why when it is not the preferred channel (that one refused the person). */
function describe(
  ctx: HandlerContext,
  preferred: ChannelName | undefined,
  actual: ChannelName | undefined,
  key: 'kenh.current' | 'kenh.saved',
): string {
  const name = (channel: ChannelName) => ctx.t(`delivery.channel.${channel}`);
  if (!actual) return ctx.t('kenh.none');
  const line = ctx.t(key, { channel: name(preferred ?? actual) });
  if (!preferred || preferred === actual) return line;
  return [line, ctx.t('kenh.fallback', { preferred: name(preferred), channel: name(actual) })].join('\n');
}
