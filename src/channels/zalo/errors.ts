/** The SDK's error kinds: an API refusal, a transport failure, an answer that is not a Zalo response. */
export type ZaloErrorCode = 'EZALO' | 'EFATAL' | 'EPARSE';

/** What Zalo answered, with the token already scrubbed from the body. */
export interface ZaloErrorResponse {
  status: number;
  body: unknown;
}

/**
 * A failed Bot API call, shaped as the SDK's errors (`code`, `response`, a message starting with the code).
 * Always built from scratch: an axios error carries the request URL, and with it the token, in its config.
 */
export class ZaloError extends Error {
  override readonly name = 'ZaloError';

  constructor(
    readonly code: ZaloErrorCode,
    /** The Bot API method that failed, e.g. `sendMessage`. */
    readonly method: string,
    detail: string,
    readonly response?: ZaloErrorResponse,
    /** Zalo's `error_code` (or the HTTP status when the body has none); EZALO only. */
    readonly errorCode?: number,
  ) {
    super(`${code}: ${method}: ${detail}`);
  }

  toJSON() {
    const { name, code, method, message, errorCode, response } = this;
    return { name, code, method, message, errorCode, response };
  }
}

/** getUpdates answers 408 when no update came within its timeout: the normal end of an idle long poll. */
export const isIdlePoll = (err: unknown) => err instanceof ZaloError && err.errorCode === 408;
