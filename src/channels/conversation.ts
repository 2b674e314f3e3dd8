import { MAX_REASON_LENGTH } from '../../handlers/attendance.js';
import type { HandlerContext, Services } from '../../handlers/index.js';
import { handle } from '../../handlers/index.js';
import { type Intent, intentSchema } from '../domain/intents.js';
import { refusal, type View } from '../domain/view.js';
import { type Locale, type Params, t } from '../i18n.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/port.js';
import type { Person } from '../store/records.js';

/**
 * The one conversation path of every channel (Telegram, Zalo, the web answer page): who speaks becomes a
 * handler context, what they said an intent for `handle()`, and what it answers the views the channel renders.
 * It owns what is the same everywhere: the actor and their locale, the reachability mark, the "type your
 * reason" question (one TTL, one trimming rule) and the error boundary around the handlers.
 */

/** How long a question waiting for the person's next free text ("type your reason") is kept. */
export const PENDING_TEXT_TTL_MS = 15 * 60_000;

export type Translate = HandlerContext['t'];

/** Each locale's translate function, shared by every turn (and every page) in that locale. */
export const translate: Record<Locale, Translate> = {
  vi: (key: string, params?: Params) => t(key, params, 'vi'),
  en: (key: string, params?: Params) => t(key, params, 'en'),
};

/** Who speaks, as their channel knows them: the context's fields that the channel fills in. */
export type Speaker = Pick<
  HandlerContext,
  'channel' | 'userId' | 'displayName' | 'chatKind' | 'chatId' | 'chatTitle'
>;

/**
 * A channel's own reading of free text that no pending question took (Zalo's numbered replies): an intent, or
 * views that answer it without the handlers (a question asked back).
 */
export type Reading = (ctx: HandlerContext, text: string) => Promise<Intent | View[]>;

export interface Turn {
  /** The context the turn ran in: its actor is who spoke before the turn (undefined if not linked then). */
  context: HandlerContext;
  views: View[];
  /** This turn linked the account (an invite code, a /kenh code, the admin's bootstrap). */
  linked: boolean;
  /** The handlers threw: `views` is the refusal that says so, and the error is logged. */
  failed: boolean;
}

/** What a turn needs: the services the handlers use, a log for their failures, and the injected clock. */
export interface TurnDeps {
  services: Services;
  log: Logger;
  now: () => number;
}

/** Chat channels keep the pending question in the store. */
export interface ConversationDeps extends TurnDeps {
  store: Store;
}

export type Conversation = ReturnType<typeof createConversation>;

function contextOf(deps: TurnDeps, speaker: Speaker, actor: Person | undefined): HandlerContext {
  const locale = actor?.locale ?? 'vi';
  const ctx: HandlerContext = {
    channel: speaker.channel,
    userId: speaker.userId,
    displayName: speaker.displayName,
    chatKind: speaker.chatKind,
    locale,
    now: deps.now(),
    services: deps.services,
    t: translate[locale],
  };
  // Set only when there, as the optional fields are (no spread of a new object for each: a turn per tap).
  if (speaker.chatId !== undefined) ctx.chatId = speaker.chatId;
  if (speaker.chatTitle) ctx.chatTitle = speaker.chatTitle;
  if (actor) ctx.actor = actor;
  return ctx;
}

/** The handlers' answer; an exception is logged by ids and kind only, and becomes a refusal that says so. */
async function answer(
  deps: TurnDeps,
  ctx: HandlerContext,
  intent: Intent,
): Promise<{ views: View[]; failed: boolean }> {
  try {
    return { views: await handle(ctx, intent), failed: false };
  } catch (err) {
    deps.log.error(
      { err, channel: ctx.channel, userId: ctx.userId, personId: ctx.actor?.id, intent: intent.type },
      'A handler failed; the person was told',
    );
    return { views: [refusal(ctx.t('error.tapFailed'))], failed: true };
  }
}

/**
 * A turn taken through a signed link (the web answer page): the token has proven who acts, so the actor is its
 * person, not an account looked up. Links go out in Zalo messages, so the turn is in that channel's name; it
 * marks nothing reachable (opening a link received earlier says nothing of whether Zalo reaches the person now)
 * and keeps no pending question (a page has no "next text").
 */
export async function linkTurn(deps: TurnDeps, person: Person, said: Intent): Promise<Turn> {
  const speaker: Speaker = {
    channel: 'zalo',
    userId: person.zaloId ?? '',
    displayName: person.name,
    chatKind: 'private',
  };
  const ctx = contextOf(deps, speaker, person);
  return { context: ctx, ...(await answer(deps, ctx, said)), linked: false };
}

export function createConversation(deps: ConversationDeps) {
  const { services, store } = deps;
  const pendingKey = (speaker: Pick<Speaker, 'channel' | 'userId'>) =>
    keys.awaitingText(speaker.channel, speaker.userId);

  /**
   * The handler context of someone writing on a channel: their linked person, if any, who is reachable there
   * again from now on (any message, a sticker too, shows that the channel reaches them: they unblocked the bot).
   */
  async function context(speaker: Speaker): Promise<HandlerContext> {
    const linked = await services.repos.people.byChannel(speaker.channel, speaker.userId);
    const actor = linked && (await services.people.markReachable(linked, speaker.channel));
    return contextOf(deps, speaker, actor);
  }

  /**
   * The answer to a pending question, if one waits: taken once (a second replica finds it gone), the text
   * trimmed, and refused with its limit when too long (the question is then gone: the refusal says to start
   * again, as a tap on the button does).
   */
  async function takePending(ctx: HandlerContext, speaker: Speaker, text: string) {
    const key = pendingKey(speaker);
    const pending = await store.get(key);
    if (pending === undefined || !(await store.deleteIfEquals(key, pending))) return undefined;
    const parsed = intentSchema.safeParse({ ...JSON.parse(pending), note: text.trim() });
    if (parsed.success) return parsed.data;
    const tooBig = parsed.error.issues.find((i) => i.code === 'too_big');
    const max = tooBig && 'maximum' in tooBig ? Number(tooBig.maximum) : MAX_REASON_LENGTH;
    return [refusal(ctx.t('refuse.tooLong', { max }))];
  }

  /**
   * One turn: `said` is a tap's intent, a command, or free text (`{ type: 'text' }`), which answers the pending
   * question if one waits, else goes through the channel's `read`, else to the handlers as it is. The views'
   * pending question is kept for the speaker's next text. Failures before the handlers run (the store down while
   * the actor is read) are thrown: nothing has happened yet, so the channel may try the update again.
   */
  async function turn(speaker: Speaker, said: Intent, read?: Reading): Promise<Turn> {
    const ctx = await context(speaker);
    let meaning: Intent | View[] = said;
    if (said.type === 'text') {
      meaning = (await takePending(ctx, speaker, said.text)) ?? (read ? await read(ctx, said.text) : said);
    }
    const { views, failed } = Array.isArray(meaning)
      ? { views: meaning, failed: false }
      : await answer(deps, ctx, meaning);
    // Linked by this turn: a question asked before belongs to someone not yet known, and is dropped.
    const linked =
      !ctx.actor && (await services.repos.people.byChannel(speaker.channel, speaker.userId)) !== undefined;
    let asked: Intent | undefined;
    for (let i = views.length - 1; i >= 0 && !asked; i--) asked = views[i]?.awaitText;
    if (asked) await store.set(pendingKey(speaker), JSON.stringify(asked), PENDING_TEXT_TTL_MS);
    else if (linked) await store.del(pendingKey(speaker));
    return { context: ctx, views, linked, failed };
  }

  return { context, turn };
}
