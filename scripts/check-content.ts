/**
 * `npm run content:check`: validates everything under content/ and exits non-zero naming the file and the
 * entry of every problem. Each part of the content registers one checker here.
 */
import { checkCalendar } from '../src/content/anniversaries.js';
import { checkHolidays } from '../src/content/holidays.js';
import { checkLocales } from '../src/content/locales.js';
import { checkPolicies } from '../src/content/policy.js';

import type { ContentProblem } from '../src/content/problems.js';
import { checkTopicLibrary } from '../src/content/topics.js';
import { checkWording } from '../src/content/wording.js';

type Checker = { name: string; run: () => ContentProblem[] };

const checkers: Checker[] = [
  { name: 'locales', run: checkLocales },
  { name: 'policy', run: () => checkPolicies() },
  { name: 'holidays', run: () => checkHolidays() },
  { name: 'anniversaries', run: () => checkCalendar() },
  { name: 'topics', run: () => checkTopicLibrary() },
  { name: 'wording (content/STYLE.md)', run: () => checkWording() },
];

let failed = 0;
for (const checker of checkers) {
  const problems = checker.run();
  if (problems.length === 0) {
    console.log(`✓ ${checker.name}`);
    continue;
  }
  failed += problems.length;
  console.error(`✗ ${checker.name}`);
  for (const p of problems) console.error(`  ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}`);
}
if (failed > 0) {
  console.error(`${failed} problem(s) in content/`);
  process.exit(1);
}
console.log('content/ is valid');
