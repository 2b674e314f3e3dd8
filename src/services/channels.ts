import { addressOf } from '../delivery/address.js';
import { type ChannelName, channelNameSchema, type Person } from '../store/records.js';

/** Every channel a person may be reached on. */
export const CHANNELS: readonly ChannelName[] = channelNameSchema.options;

/** The channels this person has linked, in CHANNELS order. */
export function linkedChannels(person: Person): ChannelName[] {
  return CHANNELS.filter((c) =>
    c === 'telegram' ? person.telegramId !== undefined : person.zaloId !== undefined,
  );
}

/**
 * Where reminders for this person go: the preferred channel, or the other one when the preferred channel has
 * refused them for good (`unreachable`); undefined when no linked channel is left. Pass `available` to leave out
 * channels the service does not run. The rule itself is the outbox's `addressOf`, so chat and outbox never disagree.
 */
export function deliveryChannel(
  person: Person,
  available: readonly ChannelName[] = CHANNELS,
): ChannelName | undefined {
  return addressOf(person, available)?.channel;
}
