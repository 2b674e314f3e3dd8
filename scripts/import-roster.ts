/**
 * Imports a cell's roster from a CSV file, the same import admins run in the chat:
 *   npm run import-roster -- <cell ID or number> <file.csv>
 * Every row is checked first; with any problem nothing is written and the problems are listed, one per line.
 */
import { readFileSync } from 'node:fs';
import { describeRowProblem } from '../handlers/admin.js';
import { loadConfig } from '../src/config.js';
import { loadPolicy } from '../src/content/policy.js';
import { t } from '../src/i18n.js';
import { openStore } from '../src/open-store.js';
import { createServices } from '../src/services/index.js';

const [cellArg, file] = process.argv.slice(2);
if (!cellArg || !file) {
  console.error('Usage: npm run import-roster -- <cell ID or number> <file.csv>');
  process.exit(2);
}
const config = loadConfig();
const store = openStore(config);
const services = createServices(store, { now: () => Date.now() }, loadPolicy(config.POLICY));
try {
  const [org] = await services.repos.cells.listOrgs();
  const cells = org
    ? (await services.repos.cells.ofOrg(org.id)).sort((a, b) => a.createdAt - b.createdAt)
    : [];
  const cell = cells.find((c) => c.id === cellArg) ?? cells[Number.parseInt(cellArg, 10) - 1];
  if (!cell) {
    console.error(
      `No cell "${cellArg}". Cells: ${cells.map((c, i) => `${i + 1}=${c.id} (${c.name})`).join(', ') || 'none'}`,
    );
    process.exitCode = 1;
  } else {
    const result = await services.roster.importRoster(cell, readFileSync(file, 'utf8'), 'script');
    if (result.ok) {
      const { created, updated, unchanged } = result;
      console.log(t('admin.import.done', { cell: cell.name, created, updated, unchanged }));
    } else {
      console.error(t('admin.import.failed'));
      for (const p of result.problems) console.error(describeRowProblem(t, p));
      process.exitCode = 1;
    }
  }
} finally {
  await store.close();
}
