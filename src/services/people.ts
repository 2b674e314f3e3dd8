import { randomBytes } from 'node:crypto';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import type { ChannelName, Person } from '../store/records.js';
import type { Repos } from '../store/repositories/index.js';

export type LinkResult =
  | { ok: true; person: Person; admin: boolean }
  | { ok: false; reason: 'unknown_code' | 'used_code' | 'already_linked_other' };

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

  async setPreferredChannel(person: Person, channel: ChannelName): Promise<Person | undefined> {
    const has = channel === 'telegram' ? person.telegramId !== undefined : person.zaloId !== undefined;
    if (!has) return undefined;
    const updated = { ...person, preferredChannel: channel };
    await this.repos.people.save(updated);
    return updated;
  }
}
