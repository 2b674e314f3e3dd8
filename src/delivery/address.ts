import type { ChannelName, Person } from '../store/records.js';

export interface Address {
  channel: ChannelName;
  chatId: string;
}

/**
 * Where to reach a person: their preferred channel first, then any other, among the channels this service
 * can send on, skipping those that refused them for good. Undefined when none is left.
 */
export function addressOf(person: Person, channels: readonly ChannelName[]): Address | undefined {
  const chats: Record<ChannelName, string | undefined> = {
    telegram: person.telegramId === undefined ? undefined : String(person.telegramId),
    zalo: person.zaloId,
  };
  const order = person.preferredChannel
    ? [person.preferredChannel, ...channels.filter((c) => c !== person.preferredChannel)]
    : channels;
  for (const channel of order) {
    const chatId = chats[channel];
    if (chatId && channels.includes(channel) && !person.unreachable.includes(channel))
      return { channel, chatId };
  }
  return undefined;
}
