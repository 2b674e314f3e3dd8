import { DAY_MS } from '../domain/time.js';
import type { View } from '../domain/view.js';
import { keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/port.js';
import {
  type Cell,
  type ChannelName,
  type JoinRequest,
  joinRequestSchema,
  newId,
  type Person,
  parseDoc,
} from '../store/records.js';
import { auditOp } from '../store/repositories/audit.js';
import { isSecretary } from '../store/repositories/cells.js';
import type { Repos } from '../store/repositories/index.js';
import type { Notice, Notifier } from './notifier.js';
import type { Clock } from './people.js';
import { MAX_NAME_LENGTH } from './roster.js';

/** The shortest full name we take: two letters at least (a typo, a "?", a sticker's text are not names). */
export const MIN_NAME_LENGTH = 2;
/** An open request waits this long for a secretary; then the person may ask again. */
const OPEN_TTL_MS = 7 * DAY_MS;
/** After a refusal, a new request waits this long: secretaries are not to be pestered. */
const REFUSED_COOLDOWN_MS = DAY_MS;
/** Requests (and their decisions) are kept this long, for the stale taps that come late. */
const KEEP_MS = 60 * DAY_MS;

export interface Account {
  channel: ChannelName;
  userId: string;
}

export type JoinAskResult =
  | { ok: true; request: JoinRequest; cell: Cell; notified: number }
  | {
      ok: false;
      reason:
        | 'linked'
        | 'no_cell'
        | 'bad_name'
        | 'too_long'
        | 'pending'
        | 'refused_recently'
        | 'no_secretary';
    };

export type JoinDecisionResult =
  | { ok: true; request: JoinRequest; cell: Cell; person?: Person }
  | { ok: false; reason: 'not_found'; request?: undefined }
  | { ok: false; reason: 'not_secretary'; request?: undefined }
  /** Decided already (by this secretary or another), or the requester linked with a code meanwhile. */
  | { ok: false; reason: 'decided' | 'lapsed'; request: JoinRequest };

/** The words the handlers compose, in each recipient's language: the service only decides who gets what. */
export interface JoinComposer {
  /** To each of the cell's secretaries: who asks, with [Chấp nhận] [Từ chối]. */
  askSecretary(request: JoinRequest, cell: Cell, secretary: Person): View;
  /** To the requester: the decision. */
  answerRequester(request: JoinRequest, cell: Cell): View;
}

/** A name as people write it: NFC, single spaces, no edges. */
export const cleanName = (name: string) => name.normalize('NFC').replace(/\s+/g, ' ').trim();

/**
 * Requests to join a cell from someone without an invite code: they pick the cell and give their name; the
 * cell's secretaries are told through the outbox; the first secretary to decide does, once. Approval makes
 * the person a member linked to the requester's account, in one batch with its audit entry.
 */
export class JoinService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /** The đảng bộ's cells a requester may pick from, by name. */
  async cells(): Promise<Cell[]> {
    const orgs = await this.repos.cells.listOrgs();
    const cells = (await Promise.all(orgs.map((o) => this.repos.cells.ofOrg(o.id)))).flat();
    return cells.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }

  /** Whether this account may start a request now (checked before asking for the name, and again after). */
  async canAsk(
    account: Account,
  ): Promise<{ ok: true } | { ok: false; reason: 'linked' | 'pending' | 'refused_recently' }> {
    if (await this.repos.people.byChannel(account.channel, account.userId))
      return { ok: false, reason: 'linked' };
    const open = await this.store.get(keys.joinOpen(account.channel, account.userId));
    if (open === undefined) return { ok: true };
    return { ok: false, reason: open === 'refused' ? 'refused_recently' : 'pending' };
  }

  async ask(
    account: Account,
    cellId: string,
    rawName: string,
    compose: JoinComposer,
  ): Promise<JoinAskResult> {
    const allowed = await this.canAsk(account);
    if (!allowed.ok) return allowed;
    const name = cleanName(rawName);
    if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: 'too_long' };
    if (name.length < MIN_NAME_LENGTH || !/\p{L}/u.test(name)) return { ok: false, reason: 'bad_name' };
    const cell = await this.repos.cells.get(cellId);
    if (!cell) return { ok: false, reason: 'no_cell' };
    const secretaries = await this.repos.people.getMany(await this.repos.cells.secretaries(cell.id));

    const now = this.clock.now();
    const request: JoinRequest = joinRequestSchema.parse({
      id: newId(),
      cellId: cell.id,
      channel: account.channel,
      userId: account.userId,
      name,
      state: 'open',
      createdAt: now,
    });
    const notices: Notice[] = secretaries.map((secretary) => ({
      key: `join:${request.id}:${secretary.id}`,
      to: secretary,
      view: compose.askSecretary(request, cell, secretary),
      cellId: cell.id,
    }));
    const { ops, queued } = this.notifier.notifyOps(notices);
    if (queued === 0) return { ok: false, reason: 'no_secretary' };

    // One open request per account: the marker is claimed first, so two quick requests make one.
    const openKey = keys.joinOpen(account.channel, account.userId);
    if (!(await this.store.setIfAbsent(openKey, request.id, OPEN_TTL_MS))) {
      const again = await this.canAsk(account);
      return again.ok ? { ok: false, reason: 'pending' } : again;
    }
    try {
      await this.store.write([
        { op: 'set', key: keys.joinRequest(request.id), value: JSON.stringify(request), ttlMs: KEEP_MS },
        ...ops,
      ]);
    } catch (err) {
      await this.store.deleteIfEquals(openKey, request.id);
      throw err;
    }
    return { ok: true, request, cell, notified: queued };
  }

  async get(requestId: string): Promise<JoinRequest | undefined> {
    const key = keys.joinRequest(requestId);
    return parseDoc(joinRequestSchema, key, await this.store.get(key));
  }

  /**
   * A secretary of the request's cell approves or refuses. The first decision wins (a claim in the store);
   * later taps, by anyone, hear it was decided. The requester is told either way.
   */
  async decide(
    actor: Person,
    requestId: string,
    approve: boolean,
    compose: Pick<JoinComposer, 'answerRequester'>,
  ): Promise<JoinDecisionResult> {
    const request = await this.get(requestId);
    if (!request) return { ok: false, reason: 'not_found' };
    const [membership, cell] = await Promise.all([
      this.repos.cells.membership(request.cellId, actor.id),
      this.repos.cells.get(request.cellId),
    ]);
    if (!cell) return { ok: false, reason: 'not_found' };
    if (!isSecretary(membership)) return { ok: false, reason: 'not_secretary' };
    if (request.state !== 'open') return { ok: false, reason: 'decided', request };
    if (!(await this.store.setIfAbsent(keys.joinDecision(request.id), actor.id, KEEP_MS)))
      return { ok: false, reason: 'decided', request: (await this.get(request.id)) ?? request };

    const now = this.clock.now();
    const openKey = keys.joinOpen(request.channel, request.userId);
    const decided = (state: JoinRequest['state'], extra: Partial<JoinRequest> = {}): JoinRequest => ({
      ...request,
      ...extra,
      state,
      decidedAt: now,
      decidedBy: actor.id,
    });
    const saveOp = (r: JoinRequest): WriteOp => ({
      op: 'set',
      key: keys.joinRequest(r.id),
      value: JSON.stringify(r),
      ttlMs: KEEP_MS,
    });

    if (!approve) {
      const refused = decided('refused');
      const told = this.notifier.notifyOps([this.answer(refused, cell, compose)]);
      await this.store.write([
        saveOp(refused),
        { op: 'set', key: openKey, value: 'refused', ttlMs: REFUSED_COOLDOWN_MS },
        auditOp(cell.id, {
          at: now,
          actorId: actor.id,
          action: 'join.refuse',
          subject: request.id,
          detail: {},
        }),
        ...told.ops,
      ]);
      return { ok: true, request: refused, cell };
    }

    // The requester may have linked with a code since asking: their account is someone already.
    if (await this.repos.people.byChannel(request.channel, request.userId)) {
      const lapsed = decided('lapsed');
      await this.store.write([saveOp(lapsed), { op: 'del', key: openKey }]);
      return { ok: false, reason: 'lapsed', request: lapsed };
    }
    const { person: created, ops: createOps } = this.repos.people.createOps(request.name, now);
    const person: Person = {
      ...created,
      ...(request.channel === 'telegram'
        ? { telegramId: Number(request.userId) }
        : { zaloId: request.userId }),
      preferredChannel: request.channel,
    };
    const approved = decided('approved', { personId: person.id });
    const told = this.notifier.notifyOps([this.answer(approved, cell, compose)]);
    const index = request.channel === 'telegram' ? keys.telegramIndex() : keys.zaloIndex();
    await this.store.write([
      ...createOps,
      this.repos.people.saveOp(person),
      // Linked already: the invite code the new person got must not link anyone else.
      { op: 'hset', key: keys.invitesUsed(), fields: { [person.inviteCode]: String(now) } },
      { op: 'hset', key: index, fields: { [request.userId]: person.id } },
      ...this.repos.cells.membershipOps(cell.id, person.id, { role: 'member', status: 'official' }),
      saveOp(approved),
      { op: 'del', key: openKey },
      auditOp(cell.id, {
        at: now,
        actorId: actor.id,
        action: 'join.approve',
        subject: request.id,
        detail: { personId: person.id },
      }),
      ...told.ops,
    ]);
    return { ok: true, request: approved, cell, person };
  }

  private answer(request: JoinRequest, cell: Cell, compose: Pick<JoinComposer, 'answerRequester'>): Notice {
    return {
      key: `join:${request.id}:answer`,
      to: { channel: request.channel, chatId: request.userId },
      view: compose.answerRequester(request, cell),
    };
  }
}
