import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** All of the service's Prometheus metrics, one registry per app instance (tests run several in a process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chibo_' });
  const labelNames = ['channel'] as const;
  return {
    registry,
    sent: new Counter({
      name: 'chibo_messages_sent_total',
      help: 'Messages delivered to a channel',
      labelNames,
      registers: [registry],
    }),
    retried: new Counter({
      name: 'chibo_messages_retried_total',
      help: 'Sends retried after a transient failure',
      labelNames,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'chibo_messages_failed_total',
      help: 'Sends given up on (dead letters)',
      labelNames,
      registers: [registry],
    }),
    missed: new Counter({
      name: 'chibo_reminders_missed_total',
      help: 'Reminders found past their grace window and not sent',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'chibo_outbox_queue_depth',
      help: 'Messages waiting in the outbox',
      registers: [registry],
    }),
    updateDuration: new Histogram({
      name: 'chibo_update_seconds',
      help: 'Time from receiving a channel update to having answered it',
      labelNames,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    tickDuration: new Histogram({
      name: 'chibo_dispatcher_tick_seconds',
      help: 'Time one dispatcher tick took',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
