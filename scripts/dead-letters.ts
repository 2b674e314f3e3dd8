/**
 * Lists the outbox's dead letters: messages given up after their attempt bound or refused for good.
 *   npm run dead-letters [-- --limit 100] [--offset 0]
 * Prints when, channel, chat, person, attempts and the last error — not the message text, which may name
 * absentees; what a message said is not the operator's business.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { Outbox } from '../src/delivery/outbox.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { openStore } from '../src/open-store.js';
import { createRepos } from '../src/store/repositories/index.js';

const { values } = parseArgs({
  options: { limit: { type: 'string', default: '100' }, offset: { type: 'string', default: '0' } },
});
const limit = Number(values.limit);
const offset = Number(values.offset);
if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
  console.error('Usage: npm run dead-letters -- [--limit N] [--offset N] (whole numbers, limit ≥ 1)');
  process.exit(2);
}

const config = loadConfig();
const store = openStore(config);
try {
  const repos = createRepos(store);
  const outbox = new Outbox(
    {
      store,
      people: repos.people,
      cells: repos.cells,
      senders: [],
      now: Date.now,
      log: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
    },
    { rates: {} },
  );
  const dead = await outbox.listDeadLetters({ limit, offset });
  if (dead.length === 0) console.log('No dead letters.');
  for (const d of dead)
    console.log(
      [
        new Date(d.at).toISOString(),
        d.channel,
        `chat ${d.chatId}`,
        `person ${d.personId ?? '-'}`,
        `${d.attempts} attempt(s)`,
        `key ${d.key}`,
        `error: ${d.error}`,
      ].join('  '),
    );
} finally {
  await store.close();
}
