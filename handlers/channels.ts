import { deliveryChannel, linkedChannels } from '../src/services/channels.js';
import { type ChannelName, channelNameSchema } from '../src/store/records.js';
import type { HandlerContext } from './context.js';
import { refusal, type View } from './views.js';

/**
 * /kenh [telegram|zalo]: where invitations and reminders go. Without an argument it says where they go now and,
 * to a person linked on both channels, offers the choice; with one it sets the preferred channel.
 */
export async function handleChannelChoice(ctx: HandlerContext, args: string): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const name = (channel: ChannelName) => ctx.t(`delivery.channel.${channel}`);
  const wanted = args.trim().toLowerCase();
  if (wanted) {
    const channel = channelNameSchema.safeParse(wanted);
    if (!channel.success) return [refusal(ctx.t('kenh.unknown', { channel: wanted.slice(0, 20) }))];
    const updated = await ctx.services.people.setPreferredChannel(actor, channel.data);
    if (!updated) return [refusal(ctx.t('kenh.notLinked', { channel: name(channel.data) }))];
    return [{ text: describe(ctx, updated.preferredChannel, deliveryChannel(updated), 'kenh.saved') }];
  }
  const linked = linkedChannels(actor);
  const current = describe(ctx, actor.preferredChannel, deliveryChannel(actor), 'kenh.current');
  if (linked.length < 2) return [{ text: [current, ctx.t('kenh.onlyOne')].join('\n') }];
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
