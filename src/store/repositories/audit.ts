import { keys } from '../keys.js';
import type { WriteOp } from '../port.js';
import { type AuditEntry, auditEntrySchema } from '../records.js';

/** An audit entry as a write, so it lands in the same atomic batch as the change it records. */
export function auditOp(cellId: string, entry: AuditEntry): WriteOp {
  const value = JSON.stringify(auditEntrySchema.parse(entry));
  return { op: 'zadd', key: keys.cellAudit(cellId), entries: [{ member: value, score: entry.at }] };
}
