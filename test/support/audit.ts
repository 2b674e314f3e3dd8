import { keys } from '../../src/store/keys.js';
import type { Store } from '../../src/store/port.js';
import type { AuditEntry } from '../../src/store/records.js';

/** A cell's audit entries, oldest first. */
export async function auditOf(store: Store, cellId: string): Promise<AuditEntry[]> {
  const entries = await store.zrangeByScore(keys.cellAudit(cellId), 0, Number.POSITIVE_INFINITY);
  return entries.map((e) => JSON.parse(e.member) as AuditEntry);
}
