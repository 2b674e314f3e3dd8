import { keys } from '../keys.js';
import type { Store, WriteOp } from '../port.js';
import { type ChannelName, newId, type Person, parseDoc, personSchema } from '../records.js';

/** Invite codes are short enough to type on a phone and avoid look-alike letters (no 0/O, 1/I/L). */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function newInviteCode(): string {
  return newId(6)
    .split('')
    .map((c) => CODE_ALPHABET[c.charCodeAt(0) % CODE_ALPHABET.length])
    .join('');
}

export class PeopleRepo {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<Person | undefined> {
    return parseDoc(personSchema, keys.person(id), await this.store.get(keys.person(id)));
  }

  async getMany(ids: string[]): Promise<Person[]> {
    const raws = await this.store.getMany(ids.map(keys.person));
    return raws.flatMap((raw, i) => parseDoc(personSchema, keys.person(ids[i] as string), raw) ?? []);
  }

  /** The writes that create a person with a fresh invite code; part of a larger atomic batch. */
  createOps(name: string, now: number): { person: Person; ops: WriteOp[] } {
    const person = personSchema.parse({ id: newId(), name, inviteCode: newInviteCode(), createdAt: now });
    return {
      person,
      ops: [
        { op: 'set', key: keys.person(person.id), value: JSON.stringify(person) },
        { op: 'set', key: keys.invite(person.inviteCode), value: person.id },
      ],
    };
  }

  saveOp(person: Person): WriteOp {
    return { op: 'set', key: keys.person(person.id), value: JSON.stringify(person) };
  }

  async save(person: Person): Promise<void> {
    await this.store.write([this.saveOp(person)]);
  }

  async byChannel(channel: ChannelName, userId: string | number): Promise<Person | undefined> {
    const index = channel === 'telegram' ? keys.telegramIndex() : keys.zaloIndex();
    const id = await this.store.hget(index, String(userId));
    if (!id) return undefined;
    const key = keys.person(id);
    return parseDoc(personSchema, key, await this.store.get(key));
  }

  async byInviteCode(code: string): Promise<Person | undefined> {
    const id = await this.store.get(keys.invite(code.trim().toUpperCase()));
    return id ? this.get(id) : undefined;
  }

  /** Marks a code used; true only for the first caller, so a code links one account once. */
  async useInviteCode(code: string, now: number): Promise<boolean> {
    return this.store.hsetIfAbsent(keys.invitesUsed(), code.trim().toUpperCase(), String(now));
  }

  async isInviteUsed(code: string): Promise<boolean> {
    return (await this.store.hget(keys.invitesUsed(), code.trim().toUpperCase())) !== undefined;
  }

  /** Links a channel account to a person (and the index back), atomically. */
  async link(person: Person, channel: ChannelName, userId: string | number): Promise<Person> {
    const linked: Person = {
      ...person,
      ...(channel === 'telegram' ? { telegramId: Number(userId) } : { zaloId: String(userId) }),
      preferredChannel: person.preferredChannel ?? channel,
      unreachable: person.unreachable.filter((c) => c !== channel),
    };
    const index = channel === 'telegram' ? keys.telegramIndex() : keys.zaloIndex();
    await this.store.write([
      this.saveOp(linked),
      { op: 'hset', key: index, fields: { [String(userId)]: person.id } },
    ]);
    return linked;
  }

  async isAdmin(personId: string): Promise<boolean> {
    return this.store.sismember(keys.admins(), personId);
  }

  async addAdmin(personId: string): Promise<void> {
    await this.store.sadd(keys.admins(), personId);
  }
}
