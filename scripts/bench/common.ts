import { redisAvailable } from '../../test/support/redis.js';

export type StoreKind = 'redis' | 'sqlite';

/** Figures for people and the closing JSON line: rounded, not falsely precise. */
export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** The stores a benchmark runs on: the one `--store` names, else Redis (when it answers) and SQLite. */
export async function storesToBench(requested: string | undefined): Promise<StoreKind[]> {
  if (requested === 'redis' || requested === 'sqlite') return [requested];
  return (await redisAvailable()) ? ['redis', 'sqlite'] : ['sqlite'];
}
