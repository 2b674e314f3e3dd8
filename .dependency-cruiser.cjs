// The layers of ARCHITECTURE.md, checked by `npm run depcruise` in .ci/run. Imports point down only:
//   src/domain ← src/store ← src/delivery ← src/services ← src/views ← handlers ← src/scheduler
//   ← src/channels ← src/http, src/app.ts, src/main.ts
// The shared modules (src/i18n.ts, src/logger.ts, src/metrics.ts, src/config.ts, src/paths.ts, src/clock.ts,
// src/content) sit beside the layers: they import the domain and each other, and the layers above the store
// use them.
// Type-only imports count (tsPreCompilationDeps): a type that points up couples the layers as much as a value.

/** Our own code; npm packages and node builtins are matched separately. */
const OURS = '^(src|handlers|scripts|test)/';
const SHARED = '^src/(i18n|logger|metrics|config|paths|clock)\\.ts$|^src/content/';

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-of-ours',
      comment:
        'The domain is the vocabulary every layer speaks: plain types and pure rules, no I/O, no text files.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: OURS, pathNot: '^src/domain/' },
    },
    {
      name: 'store-imports-only-domain',
      comment:
        'The store keeps records; it knows nothing of how they are used, configured or logged (the app opens it).',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: OURS, pathNot: '^src/(domain|store)/' },
    },
    {
      name: 'delivery-stays-below-services',
      comment:
        'Delivery (outbox, sender port, replies) sends what it is given; the channels implement its ports from above.',
      severity: 'error',
      from: { path: '^src/delivery/' },
      to: {
        path: [
          '^src/(services|views|scheduler|channels|http)/',
          '^handlers/',
          '^src/(app|main|readiness)\\.ts$',
          'node_modules/(grammy|@grammyjs|axios|hono|@hono)/',
        ],
      },
    },
    {
      name: 'services-never-import-upward',
      comment:
        'Services are the business operations; they return data and take what renders or sends it as a port.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: {
        path: [
          '^src/(views|scheduler|channels|http)/',
          '^handlers/',
          '^src/(app|main|readiness)\\.ts$',
          'node_modules/(grammy|@grammyjs|axios|hono|@hono)/',
        ],
      },
    },
    {
      name: 'views-are-pure',
      comment:
        'A view builder turns data into a View: the domain, translations, content and other views; data types below.',
      severity: 'error',
      from: { path: '^src/views/' },
      to: {
        path: OURS,
        pathNot: [
          '^src/(domain|views|content)/',
          '^src/i18n\\.ts$',
          '^src/store/records\\.ts$',
          '^src/services/',
        ],
      },
    },
    {
      name: 'views-take-data-by-type-only',
      comment:
        "Views take records and what services compute (a checklist's facts, a member's standing) as arguments, " +
        'by type alone: they never load, parse or compute them. Those types hold records, so the domain cannot.',
      severity: 'error',
      from: { path: '^src/views/' },
      to: { path: ['^src/store/records\\.ts$', '^src/services/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'views-do-no-io',
      comment: 'No node builtins, no clients, no bot library in a view.',
      severity: 'error',
      from: { path: '^src/views/' },
      to: {
        path: 'node_modules/(grammy|@grammyjs|axios|ioredis|better-sqlite3|hono|@hono|pino|prom-client)/',
      },
    },
    {
      name: 'views-use-no-builtins',
      comment: 'No node builtins in a view (files, clocks, crypto belong to the layers that do I/O).',
      severity: 'error',
      from: { path: '^src/views/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'handlers-never-import-channels',
      comment:
        'Handlers answer an Intent with Views for any channel; the channels, the scheduler and the app call them.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: {
        path: [
          '^src/(channels|http|scheduler)/',
          '^src/(app|main|readiness)\\.ts$',
          'node_modules/(grammy|@grammyjs|axios|hono|@hono)/',
        ],
      },
    },
    {
      name: 'scheduler-never-imports-channels',
      comment:
        'The scheduler decides what is due and hands it to services and the outbox; channels sit above it.',
      severity: 'error',
      from: { path: '^src/scheduler/' },
      to: { path: ['^src/(channels|http)/', '^src/(app|main)\\.ts$'] },
    },
    {
      name: 'channels-never-import-http-or-app',
      comment: 'A channel is mounted by the app and the HTTP server, not the other way round.',
      severity: 'error',
      from: { path: '^src/channels/' },
      to: { path: ['^src/http/', '^src/(app|main)\\.ts$'] },
    },
    {
      name: 'shared-modules-stay-shared',
      comment:
        'i18n, logger, metrics, config, paths and content are used by every layer, so they import none.',
      severity: 'error',
      from: { path: SHARED },
      to: { path: OURS, pathNot: [SHARED, '^src/domain/'] },
    },
    {
      name: 'code-never-imports-tests',
      comment: 'Tests and scripts use the code; the code never reaches into them.',
      severity: 'error',
      from: { path: '^(src|handlers)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; split or invert whichever of them points up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
