import { cachedParser } from '../doc-cache.js';
import { keys } from '../keys.js';
import type { Store, WriteOp } from '../port.js';
import {
  type Cell,
  cellSchema,
  type Membership,
  membershipSchema,
  newId,
  type Org,
  orgSchema,
  parseDoc,
} from '../records.js';

export const SECRETARY_ROLES = new Set(['secretary', 'deputy_secretary', 'committee']);
export const isSecretary = (m: Membership | undefined) => m !== undefined && SECRETARY_ROLES.has(m.role);

/** A cell is read by each of its members' taps: parsed once while unchanged, shared (frozen: Readonly). */
const parseCell = cachedParser(cellSchema, 5_000);
/**
 * A membership's text is one of a few role × status pairs: each text is parsed once, whoever it is for, and
 * shared (frozen: Readonly).
 */
const membershipsByText = new Map<string, Readonly<Membership>>();
function parseMembership(raw: string): Readonly<Membership> {
  let membership = membershipsByText.get(raw);
  if (!membership) {
    membership = Object.freeze(membershipSchema.parse(JSON.parse(raw)));
    if (membershipsByText.size >= 256) membershipsByText.clear();
    membershipsByText.set(raw, membership);
  }
  return membership;
}

export class CellsRepo {
  constructor(private readonly store: Store) {}

  async createOrg(name: string, now: number): Promise<Org> {
    const org = orgSchema.parse({ id: newId(), name, createdAt: now });
    await this.store.write([
      { op: 'set', key: keys.org(org.id), value: JSON.stringify(org) },
      { op: 'sadd', key: keys.orgs(), members: [org.id] },
    ]);
    return org;
  }

  async getOrg(id: string): Promise<Org | undefined> {
    return parseDoc(orgSchema, keys.org(id), await this.store.get(keys.org(id)));
  }

  async listOrgs(): Promise<Org[]> {
    const ids = await this.store.smembers(keys.orgs());
    const raws = await this.store.getMany(ids.map(keys.org));
    return raws.flatMap((raw, i) => parseDoc(orgSchema, keys.org(ids[i] as string), raw) ?? []);
  }

  async get(id: string): Promise<Readonly<Cell> | undefined> {
    return parseCell(keys.cell(id), await this.store.get(keys.cell(id)));
  }

  async getMany(ids: string[]): Promise<Readonly<Cell>[]> {
    const raws = await this.store.getMany(ids.map(keys.cell));
    return raws.flatMap((raw, i) => parseCell(keys.cell(ids[i] as string), raw) ?? []);
  }

  async allIds(): Promise<string[]> {
    return this.store.smembers(keys.cells());
  }

  async ofOrg(orgId: string): Promise<Readonly<Cell>[]> {
    return this.getMany(await this.store.smembers(keys.orgCells(orgId)));
  }

  saveOps(cell: Cell): WriteOp[] {
    return [
      { op: 'set', key: keys.cell(cell.id), value: JSON.stringify(cell) },
      { op: 'sadd', key: keys.cells(), members: [cell.id] },
      { op: 'sadd', key: keys.orgCells(cell.orgId), members: [cell.id] },
    ];
  }

  async save(cell: Cell): Promise<void> {
    await this.store.write(this.saveOps(cell));
  }

  async members(cellId: string): Promise<Map<string, Readonly<Membership>>> {
    const raw = await this.store.hgetall(keys.cellMembers(cellId));
    return new Map(Object.entries(raw).map(([personId, json]) => [personId, parseMembership(json)]));
  }

  async membership(cellId: string, personId: string): Promise<Readonly<Membership> | undefined> {
    const raw = await this.store.hget(keys.cellMembers(cellId), personId);
    return raw === undefined ? undefined : parseMembership(raw);
  }

  /** A person's membership in a cell, and the cell, read together. */
  async membershipWithCell(
    cellId: string,
    personId: string,
  ): Promise<[Readonly<Membership> | undefined, Readonly<Cell> | undefined]> {
    const cellKey = keys.cell(cellId);
    const [raw, rawCell] = await Promise.all([
      this.store.hget(keys.cellMembers(cellId), personId),
      this.store.get(cellKey),
    ]);
    return [raw === undefined ? undefined : parseMembership(raw), parseCell(cellKey, rawCell)];
  }

  membershipOps(cellId: string, personId: string, membership: Membership): WriteOp[] {
    return [
      { op: 'hset', key: keys.cellMembers(cellId), fields: { [personId]: JSON.stringify(membership) } },
      { op: 'sadd', key: keys.personCells(personId), members: [cellId] },
    ];
  }

  async setMembership(cellId: string, personId: string, membership: Membership): Promise<void> {
    await this.store.write(this.membershipOps(cellId, personId, membership));
  }

  async cellsOf(personId: string): Promise<string[]> {
    return this.store.smembers(keys.personCells(personId));
  }

  async secretaries(cellId: string): Promise<string[]> {
    const members = await this.members(cellId);
    return [...members].filter(([, m]) => isSecretary(m)).map(([id]) => id);
  }
}
