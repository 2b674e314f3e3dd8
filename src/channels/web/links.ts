import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/port.js';
import type { Meeting } from '../../store/records.js';

/**
 * Signed one-tap answer links: `PUBLIC_URL/r/<token>`, token = base64url(JSON payload) "." base64url(HMAC-SHA256).
 * The payload names one person and one meeting, so a link answers for that person only, and it expires when the
 * meeting starts. It is a bearer credential: whoever holds it may answer for that person, as with the chat.
 */
export interface AnswerLinkPayload {
  personId: string;
  meetingId: string;
  /** Epoch ms after which the link no longer answers: the meeting's start when it was signed. */
  exp: number;
}

/** Why a token is refused: unreadable (not one of our links), altered or signed by someone else, or too late. */
export type LinkRefusal = 'malformed' | 'tampered' | 'expired';
export type LinkCheck = { ok: true; payload: AnswerLinkPayload } | { ok: false; reason: LinkRefusal };

const id = z.string().regex(/^[0-9a-z]{1,24}$/);
const payloadSchema = z.strictObject({ personId: id, meetingId: id, exp: z.number().int().nonnegative() });
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** An HMAC-SHA256 in base64url, without padding. */
const SIGNATURE_CHARS = 43;
/** Far above a real token (~150 characters); anything longer is not worth decoding. */
const MAX_TOKEN_CHARS = 512;

export class LinkSigner {
  readonly #load: () => Promise<string>;
  #key: Promise<string> | undefined;

  /**
   * A fixed secret (LINK_SECRET), or how to fetch one on first use: start-up then never waits on the store, and
   * a failed fetch is tried again on the next link.
   */
  constructor(secret: string | (() => Promise<string>)) {
    if (typeof secret === 'string') checkSecret(secret);
    this.#load = typeof secret === 'string' ? async () => secret : secret;
  }

  /** LINK_SECRET when configured, otherwise the secret kept in the store for every replica. */
  static shared(store: Store, configured?: string): LinkSigner {
    return new LinkSigner(configured ?? (() => linkSecret(store)));
  }

  async sign(payload: AnswerLinkPayload): Promise<string> {
    const body = Buffer.from(JSON.stringify(payloadSchema.parse(payload))).toString('base64url');
    return `${body}.${await this.mac(body)}`;
  }

  /** Checks the signature in constant time before trusting anything in the payload, then the expiry. */
  async verify(token: string, now: number): Promise<LinkCheck> {
    const [body, signature, ...rest] = token.length <= MAX_TOKEN_CHARS ? token.split('.') : [];
    if (!body || !signature || rest.length > 0 || !BASE64URL.test(body) || !BASE64URL.test(signature))
      return { ok: false, reason: 'malformed' };
    // A signature cut short (a link broken across lines) is unreadable, not an attack.
    if (signature.length !== SIGNATURE_CHARS) return { ok: false, reason: 'malformed' };
    const payload = payloadSchema.safeParse(parseJson(Buffer.from(body, 'base64url').toString('utf8')));
    if (!payload.success) return { ok: false, reason: 'malformed' };
    // Compared as text, so no second spelling of the same bytes passes.
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(await this.mac(body))))
      return { ok: false, reason: 'tampered' };
    if (now >= payload.data.exp) return { ok: false, reason: 'expired' };
    return { ok: true, payload: payload.data };
  }

  private async mac(body: string): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(body)
      .digest('base64url');
  }

  private key(): Promise<string> {
    if (this.#key) return this.#key;
    const loading = this.#load().then(checkSecret);
    this.#key = loading;
    loading.catch(() => {
      if (this.#key === loading) this.#key = undefined;
    });
    return loading;
  }
}

function checkSecret(secret: string): string {
  if (secret.length < 32) throw new RangeError('A link secret must be at least 32 characters');
  return secret;
}

/**
 * The signing secret: LINK_SECRET when configured, otherwise one generated once and kept in the store, so every
 * replica signs and verifies alike and links survive restarts.
 */
export async function linkSecret(store: Store, configured?: string): Promise<string> {
  if (configured) return configured;
  await store.setIfAbsent(keys.linkSecret(), randomBytes(32).toString('base64url'));
  const secret = await store.get(keys.linkSecret());
  if (!secret) throw new Error('The link secret could not be kept in the store');
  return secret;
}

/** The path the answer page is served on. */
export const ANSWER_PATH = '/r/:token';

/** A member's one-tap link to answer a meeting, valid until it starts. */
export async function answerLink(
  signer: LinkSigner,
  publicUrl: string,
  personId: string,
  meeting: Pick<Meeting, 'id' | 'startsAt'>,
): Promise<string> {
  const token = await signer.sign({ personId, meetingId: meeting.id, exp: meeting.startsAt });
  return `${publicUrl.replace(/\/+$/, '')}/r/${token}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
