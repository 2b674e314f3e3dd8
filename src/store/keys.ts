/**
 * Every key the product stores, in one place, so the two adapters, the repositories and operators agree on
 * names. Shapes: doc = JSON document, hash, set, zset = sorted set (score noted).
 */
export const keys = {
  /** doc: a lease held by one replica (scheduler tick, Telegram poller). */
  lease: (name: string) => `lease:${name}`,
  /** doc: the secret that signs links when LINK_SECRET is not set, shared by all replicas. */
  linkSecret: () => 'secret:links',
  /** doc: the one-time admin bootstrap code, until used. */
  bootstrapCode: () => 'bootstrap:admin-code',
};
