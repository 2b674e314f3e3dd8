import { randomBytes } from 'node:crypto';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import {
  type ChannelLinkCode,
  type ChannelName,
  channelLinkCodeSchema,
  channelNameSchema,
  type Person,
  parseDoc,
} from '../store/records.js';
import type { Repos } from '../store/repositories/index.js';
import { CODE_ALPHABET } from '../store/repositories/people.js';

export type LinkResult =
  | { ok: true; person: Person; admin: boolean }
  | { ok: false; reason: 'unknown_code' | 'used_code' | 'already_linked_other' };

/** How long a code for linking a second channel works: long enough to open the other app, short for a secret. */
export const CHANNEL_LINK_CODE_TTL_MS = 10 * 60_000;
/** Eight letters and digits: not six, so it is never taken for a roster invite code. */
const CHANNEL_LINK_CODE_LENGTH = 8;

/** "kx4p-9mrt" → "KX4P9MRT"; undefined when it cannot be a channel link code at all. */
export function channelLinkCodeOf(text: string): string | undefined {
  const code = text.replace(/[\s-]/g, '').toUpperCase();
  return code.length === CHANNEL_LINK_CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c))
    ? code
    : undefined;
}

export type IssueChannelLinkResult =
  | { ok: true; code: string; channel: ChannelName; expiresAt: number }
  | { ok: false; reason: 'both_linked' };

export type ChannelLinkResult =
  | { ok: true; person: Person; channel: ChannelName }
  | {
      ok: false;
      reason: 'unknown_code' | 'expired_code' | 'used_code' | 'already_linked' | 'already_linked_other';
    }
  /** The code links `channel`, not the one it was sent on; or the person already has another account there. */
  | { ok: false; reason: 'wrong_channel' | 'other_account'; channel: ChannelName };

export interface Clock {
  now(): number;
}

/**
 * Who is who: the first admin's bootstrap, linking a channel account to a roster person with their invite
 * code (once), and the join requests of people without a code.
 */
export class PeopleService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
  ) {}

  /**
   * The first admin's one-time code: ADMIN_BOOTSTRAP_CODE if set, otherwise one generated and kept in the
   * store (so every replica agrees). Undefined once used.
   */
  async bootstrapCode(fromEnv?: string): Promise<{ code: string; created: boolean } | undefined> {
    if (await this.store.get(`${keys.bootstrapCode()}:used`)) return undefined;
    const candidate = fromEnv ?? `ADMIN-${randomBytes(6).toString('hex').toUpperCase()}`;
    const created = await this.store.setIfAbsent(keys.bootstrapCode(), candidate);
    const code = (await this.store.get(keys.bootstrapCode())) ?? candidate;
    return { code, created };
  }

  /** Redeems the bootstrap code: the caller becomes the first admin. Works once. */
  async redeemBootstrap(
    code: string,
    channel: ChannelName,
    userId: string | number,
    name: string,
  ): Promise<Person | undefined> {
    const expected = await this.store.get(keys.bootstrapCode());
    if (!expected || expected !== code.trim()) return undefined;
    if (!(await this.store.setIfAbsent(`${keys.bootstrapCode()}:used`, String(this.clock.now()))))
      return undefined;
    let person = await this.repos.people.byChannel(channel, userId);
    if (!person) {
      const { person: created, ops } = this.repos.people.createOps(name, this.clock.now());
      await this.store.write(ops);
      await this.repos.people.useInviteCode(created.inviteCode, this.clock.now());
      person = await this.repos.people.link(created, channel, userId);
    }
    await this.repos.people.addAdmin(person.id);
    return person;
  }

  /** Links a channel account to the roster person holding this invite code; a code works once. */
  async linkWithCode(code: string, channel: ChannelName, userId: string | number): Promise<LinkResult> {
    const person = await this.repos.people.byInviteCode(code);
    if (!person) return { ok: false, reason: 'unknown_code' };
    const existing = await this.repos.people.byChannel(channel, userId);
    if (existing && existing.id !== person.id) return { ok: false, reason: 'already_linked_other' };
    if (!(await this.repos.people.useInviteCode(code, this.clock.now())))
      return { ok: false, reason: 'used_code' };
    const linked = await this.repos.people.link(person, channel, userId);
    return { ok: true, person: linked, admin: await this.repos.people.isAdmin(linked.id) };
  }

  /**
   * A person who writes to the bot on a channel the outbox had marked unreachable (they had blocked the bot, or
   * the chat was gone) can be reached there again: the mark goes, so reminders use that channel once more.
   */
  async markReachable(person: Person, channel: ChannelName): Promise<Person> {
    if (!person.unreachable.includes(channel)) return person;
    const current = (await this.repos.people.get(person.id)) ?? person;
    const updated = { ...current, unreachable: current.unreachable.filter((c) => c !== channel) };
    await this.repos.people.save(updated);
    return updated;
  }

  /**
   * A code for linking the channel this person has not linked yet: it works once, on that channel only, for
   * CHANNEL_LINK_CODE_TTL_MS, and retires any code asked for before.
   */
  async issueChannelLinkCode(person: Person): Promise<IssueChannelLinkResult> {
    const channel = channelNameSchema.options.find((c) => channelIdOf(person, c) === undefined);
    if (!channel) return { ok: false, reason: 'both_linked' };
    const code = randomCode(CHANNEL_LINK_CODE_LENGTH);
    const expiresAt = this.clock.now() + CHANNEL_LINK_CODE_TTL_MS;
    const doc: ChannelLinkCode = { personId: person.id, channel, expiresAt };
    const previous = await this.store.get(keys.personLinkCode(person.id));
    await this.store.write([
      ...(previous ? [{ op: 'del' as const, key: keys.channelLinkCode(previous) }] : []),
      {
        op: 'set',
        key: keys.channelLinkCode(code),
        value: JSON.stringify(doc),
        ttlMs: CHANNEL_LINK_CODE_TTL_MS,
      },
      { op: 'set', key: keys.personLinkCode(person.id), value: code, ttlMs: CHANNEL_LINK_CODE_TTL_MS },
    ]);
    return { ok: true, code, channel, expiresAt };
  }

  /**
   * Whether `text` is a channel link code that exists now (used or not, expired or not): lets a linked person's
   * stray eight-letter word be read as words rather than as a wrong code.
   */
  async isChannelLinkCode(text: string): Promise<boolean> {
    const code = channelLinkCodeOf(text);
    return code !== undefined && (await this.store.get(keys.channelLinkCode(code))) !== undefined;
  }

  /**
   * Links the account that sent a channel link code to the code's person. Refused, changing nothing: an unknown,
   * expired or used code; one sent on the other channel; an account linked to someone else; a person who has
   * another account on this channel already. The first redeemer wins a race.
   */
  async redeemChannelLinkCode(
    text: string,
    channel: ChannelName,
    userId: string | number,
  ): Promise<ChannelLinkResult> {
    const code = channelLinkCodeOf(text);
    if (!code) return { ok: false, reason: 'unknown_code' };
    const [raw, used] = await this.store.getMany([
      keys.channelLinkCode(code),
      keys.channelLinkCodeUsed(code),
    ]);
    const doc = parseDoc(channelLinkCodeSchema, keys.channelLinkCode(code), raw);
    if (!doc) return { ok: false, reason: 'unknown_code' };
    if (used !== undefined) return { ok: false, reason: 'used_code' };
    if (doc.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired_code' };
    if (doc.channel !== channel) return { ok: false, reason: 'wrong_channel', channel: doc.channel };
    const existing = await this.repos.people.byChannel(channel, userId);
    if (existing && existing.id !== doc.personId) return { ok: false, reason: 'already_linked_other' };
    if (existing) return { ok: false, reason: 'already_linked' };
    const person = await this.repos.people.get(doc.personId);
    if (!person) return { ok: false, reason: 'unknown_code' };
    if (channelIdOf(person, channel) !== undefined) return { ok: false, reason: 'other_account', channel };
    if (
      !(await this.store.setIfAbsent(
        keys.channelLinkCodeUsed(code),
        String(userId),
        CHANNEL_LINK_CODE_TTL_MS,
      ))
    )
      return { ok: false, reason: 'used_code' };
    return { ok: true, person: await this.repos.people.link(person, channel, userId), channel };
  }

  async setPreferredChannel(person: Person, channel: ChannelName): Promise<Person | undefined> {
    if (channelIdOf(person, channel) === undefined) return undefined;
    const updated = { ...person, preferredChannel: channel };
    await this.repos.people.save(updated);
    return updated;
  }
}

const channelIdOf = (person: Person, channel: ChannelName) =>
  channel === 'telegram' ? person.telegramId : person.zaloId;

function randomCode(length: number): string {
  return [...randomBytes(length)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}
