import { looksLikeChannelLinkCode } from '../../../handlers/channels.js';
import type { HandlerContext, Services } from '../../../handlers/index.js';
import { looksLikeInviteCode } from '../../../handlers/onboarding.js';
import {
  type DirectSender,
  type ReplyHandOver,
  ReplyPort,
  replyKey,
  sendReplies,
} from '../../delivery/replies.js';
import { SendError, type Sender } from '../../delivery/sender.js';
import { type Intent, messagesOthers } from '../../domain/intents.js';
import type { View } from '../../domain/view.js';
import { t } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import { keys } from '../../store/keys.js';
import type { Store, WriteOp } from '../../store/port.js';
import type { Person } from '../../store/records.js';
import { createConversation, type Speaker, translate } from '../conversation.js';
import { answerLink, type LinkSigner } from '../web/links.js';
import type { ZaloBot } from './client.js';
import { ZaloError } from './errors.js';
import type { ZaloReceiver } from './inbox.js';
import {
  invitationOptions,
  looksLikeAnswer,
  type OpenQuestion,
  parseCommand,
  parseQuestion,
  readReply,
  renderZalo,
  serializeQuestion,
  splitForZalo,
} from './replies.js';
import type { ZaloMessage } from './types.js';

export interface ZaloChannelDeps {
  bot: ZaloBot;
  services: Services;
  store: Store;
  log: Logger;
  now: () => number;
  /** PUBLIC_URL. With a signer, every invitation carries the member's one-tap answer link. */
  publicUrl?: string | undefined;
  linkSigner?: LinkSigner | undefined;
  /** Where a reply that could not be sent at once goes: the outbox (src/delivery/replies.ts). */
  replies?: ReplyHandOver;
}

/**
 * What the outbox sends through (the only way anything reaches a Zalo chat), and what the inbox hands each
 * stored message to (src/channels/zalo/inbox.ts).
 */
export type ZaloChannel = Sender & ZaloReceiver & { channel: 'zalo' };

/**
 * How long a question is kept: past the meeting's start, so a late "có" hears "Đã hết hạn trả lời" from the
 * service rather than nothing; invitations go out days before. A bare number answers it for a few minutes only
 * (NUMBER_TTL_MS in replies.ts); words that name an answer go to the latest invitation for as long as it is kept.
 */
const QUESTION_TTL_MS = 7 * 24 * 3600_000;
/** How much of an unclear reply is quoted back. */
const QUOTE_CHARS = 40;

/**
 * The Zalo adapter: typed messages become intents for the shared handlers, views become plain-text messages
 * with numbered choices, and the numbers are kept as the chat's latest open question to read the next reply
 * against. `send` is the one way anything reaches a Zalo chat — replies here and the outbox's deliveries alike —
 * so every invitation keeps its question and carries its link. Zalo bots talk in private chats only.
 */
export function createZaloChannel(deps: ZaloChannelDeps): ZaloChannel {
  const { bot, services, store } = deps;
  const replies = deps.replies ?? new ReplyPort();
  const { repos } = services;
  const conversation = createConversation({ services, store, log: deps.log, now: deps.now });
  const questionKey = (chatId: string) => keys.zaloQuestion(chatId);
  const invitationKey = (chatId: string) => keys.zaloInvitation(chatId);

  /** An invitation gets the member's signed link, when this service has a public URL to serve it on. */
  async function withAnswerLink(view: View, person: Person | undefined): Promise<View> {
    const askReason = view.choices?.flat().find((c) => c.intent.type === 'ask_reason')?.intent;
    if (view.link || !person || !deps.publicUrl || !deps.linkSigner || askReason?.type !== 'ask_reason')
      return view;
    const meeting = await repos.meetings.get(askReason.meetingId);
    if (!meeting || meeting.startsAt <= deps.now()) return view;
    const url = await answerLink(deps.linkSigner, deps.publicUrl, person.id, meeting);
    return { ...view, link: { label: t('zalo.linkLabel', {}, person.locale), url } };
  }

  /**
   * Sends one view to a private chat (whose ID is the member's Zalo user ID), in as many messages as the text
   * needs. Its choices become the chat's open question first, so a quick reply never finds an older one; if it
   * cannot be sent, the questions before it are put back, so a reply is never read against a question unseen.
   */
  async function send(chatId: string, view: View): Promise<void> {
    const person = await repos.people.byChannel('zalo', chatId);
    const locale = person?.locale ?? 'vi';
    const rendered = renderZalo(await withAnswerLink(view, person), translate[locale]);
    const asked =
      rendered.options.length > 0
        ? { text: rendered.question, options: rendered.options, askedAt: deps.now() }
        : undefined;
    const before = asked && (await store.getMany([questionKey(chatId), invitationKey(chatId)]));
    if (asked) await ask(chatId, asked);
    try {
      for (const text of splitForZalo(rendered.text)) await bot.sendMessage(chatId, text);
    } catch (err) {
      if (asked && before)
        await putBack(chatId, serializeQuestion(asked), before).catch((restoreErr) =>
          deps.log.warn(
            { err: restoreErr, chatId },
            'Could not put back the Zalo questions of an unsent message',
          ),
        );
      throw classifyZaloError(err);
    }
  }

  /** The open question and latest invitation as they were before `asked`, where `asked` is still what is kept. */
  async function putBack(chatId: string, asked: string, before: (string | undefined)[]): Promise<void> {
    const slots = [questionKey(chatId), invitationKey(chatId)];
    const now = await store.getMany(slots);
    const ops = slots.flatMap((key, i): WriteOp[] => {
      if (now[i] !== asked) return [];
      const previous = before[i];
      return [
        previous === undefined
          ? { op: 'del', key }
          : { op: 'set', key, value: previous, ttlMs: QUESTION_TTL_MS },
      ];
    });
    if (ops.length) await store.write(ops);
  }

  /** Zalo replies for sendReplies: each view of a message's reply, with its chat and its key there. */
  const direct: DirectSender<{ chatId: string; view: View; key: string }> = {
    send: ({ chatId, view }) => send(chatId, view),
    message: ({ chatId, view, key }) => ({ key, channel: 'zalo', chatId, view }),
    classify: (err) => (err instanceof SendError ? err : classifyZaloError(err)),
  };

  /** Sends at once, in order; from the first that fails, the outbox takes over (src/delivery/replies.ts). */
  async function reply(chatId: string, views: View[], key: string): Promise<void> {
    await sendReplies(
      views.map((view, i) => ({ chatId, view, key: replyKey(key, i) })),
      direct,
      replies,
    );
  }

  /** Keeps a question as the chat's open one (and an invitation as its latest invitation), asked now. */
  async function ask(chatId: string, question: OpenQuestion): Promise<void> {
    const value = serializeQuestion(question);
    await store.write([
      { op: 'set', key: questionKey(chatId), value, ttlMs: QUESTION_TTL_MS },
      ...(invitationOptions(question.options) && !question.confirm
        ? [{ op: 'set' as const, key: invitationKey(chatId), value, ttlMs: QUESTION_TTL_MS }]
        : []),
    ]);
  }

  async function openQuestion(chatId: string): Promise<OpenQuestion | undefined> {
    return parseQuestion(await store.get(questionKey(chatId)));
  }

  /** A line saying why the reply is not taken, then the question alone, asked again now: never a guess. */
  async function askBack(chatId: string, question: OpenQuestion, line: string): Promise<View[]> {
    await ask(chatId, { ...question, askedAt: deps.now() });
    return [{ text: [line, '', question.text].join('\n') }];
  }

  /**
   * Every numbered question asked before: a person who has just linked starts afresh (the conversation drops
   * the pending "type your reason" question alike).
   */
  const forgetQuestions = (chatId: string) =>
    store.write([
      { op: 'del', key: questionKey(chatId) },
      { op: 'del', key: invitationKey(chatId) },
    ]);

  /**
   * What typed text means once it is neither a command nor the answer to a pending question (the conversation
   * has seen to both): a code (invite or channel link); a reply as `readReply` reads it — words to the latest
   * invitation, a fresh number to the open question, a confirmation first for what messages others, the
   * question again when unclear, expired or ambiguous; otherwise free text for the handlers (help).
   */
  async function interpret(
    ctx: HandlerContext,
    chatId: string,
    text: string,
    confirmed: { yes: boolean },
  ): Promise<Intent | View[]> {
    // Someone not linked who types their code is onboarding, whatever was asked before (the join offer); a
    // message that is a whole channel link code is one, before it could read as an answer ("2KX4P9MR").
    if ((!ctx.actor && looksLikeInviteCode(text)) || isWholeLinkCode(text)) return { type: 'text', text };
    const question = await openQuestion(chatId);
    const invitation = parseQuestion(await store.get(invitationKey(chatId)));
    const reading = readReply(text, { question, invitation, now: ctx.now, messagesOthers });
    const quoted = { reply: text.trim().slice(0, QUOTE_CHARS) };
    switch (reading.kind) {
      case 'intent':
        // A confirmation is closed once its action has run (receive): if it fails, "1" still confirms it.
        confirmed.yes = question?.confirm === true;
        return reading.intent;
      case 'confirm': {
        const confirmText = ctx.t('zalo.confirm', { label: reading.option.label });
        await ask(chatId, { text: confirmText, options: [reading.option], askedAt: ctx.now, confirm: true });
        return [{ text: confirmText }];
      }
      case 'cancelled':
        await store.del(questionKey(chatId));
        return [{ text: ctx.t('zalo.cancelled') }];
      case 'unsure':
        return askBack(chatId, reading.question, ctx.t(`zalo.unsure.${reading.why}`, quoted));
      case 'expired':
      case 'unclear':
        if (question) return askBack(chatId, question, ctx.t(`zalo.${reading.kind}`, quoted));
        break;
      case 'none':
        break;
    }
    if (ctx.actor && looksLikeAnswer(text)) return [{ text: ctx.t('zalo.noQuestion') }];
    return { type: 'text', text };
  }

  /** One member's message, handled: the inbox (src/channels/zalo/inbox.ts) dedups, orders and retries. */
  async function receive(msg: ZaloMessage): Promise<void> {
    const chatId = msg.chat.id;
    // Its replies' keys are the message's: handling it again after a failure sends each reply once.
    const key = `reply:zalo:${chatId}:${msg.message_id}`;
    const speaker: Speaker = {
      channel: 'zalo',
      userId: msg.from.id,
      displayName: msg.from.display_name ?? '',
      chatKind: 'private',
    };
    if (msg.text === undefined) {
      // Any message, a sticker too, shows that Zalo reaches this member again: the context marks it.
      const ctx = await conversation.context(speaker);
      const question = await openQuestion(chatId);
      return reply(
        chatId,
        [{ text: [ctx.t('zalo.notText'), question?.text].filter(Boolean).join('\n\n') }],
        key,
      );
    }
    const text = msg.text;
    const confirmed = { yes: false };
    const turn = await conversation.turn(
      speaker,
      parseCommand(text) ?? { type: 'text', text },
      (ctx, typed) => interpret(ctx, chatId, typed, confirmed),
    );
    if (confirmed.yes && !turn.failed) await store.del(questionKey(chatId));
    // Linked by this message (an invite code, a /kenh code, the admin's bootstrap): what was asked before is
    // dropped before the replies ask anything new.
    if (turn.linked) await forgetQuestions(chatId);
    await reply(chatId, turn.views, key);
  }

  return { channel: 'zalo', send, receive, reply };
}

/** A message that is a channel link code and nothing else ("KX4P9MRT", "kx4p-9mrt"): never an answer. */
const isWholeLinkCode = (text: string) => !/\s/.test(text.trim()) && looksLikeChannelLinkCode(text);

/**
 * What a failed Zalo send means for the outbox. Zalo publishes no rate limit and no retry-after: 429, timeouts,
 * server and transport errors are retried with the outbox's back-off; 403 is a refusal to reach this member
 * (unreachable on Zalo, so reminders fall back to their other channel); other 4xx are this message's fault.
 */
export function classifyZaloError(err: unknown): SendError {
  if (!(err instanceof ZaloError)) return new SendError(String(err), { kind: 'transient' }, { cause: err });
  if (err.code !== 'EZALO') return new SendError(err.message, { kind: 'transient' }, { cause: err });
  const code = err.errorCode ?? 0;
  if (code === 403)
    return new SendError(err.message, { kind: 'permanent', unreachable: 'blocked' }, { cause: err });
  if (code === 408 || code === 429 || code >= 500)
    return new SendError(err.message, { kind: 'transient' }, { cause: err });
  return new SendError(err.message, { kind: 'permanent' }, { cause: err });
}
