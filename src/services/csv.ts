import { parse } from 'csv-parse/sync';
import { fold } from '../domain/text.js';

/**
 * Reading the CSV files admins export from a spreadsheet (UTF-8, comma or semicolon separated, header row), the
 * one way every import does it: headers and values as codes, each row with its line for "Dòng n, cột x: …".
 */

/** "Miễn sinh hoạt" → "mien_sinh_hoat": what people type, as a code. */
export const toCode = (value: string) =>
  fold(value)
    .trim()
    .replace(/[\s-]+/g, '_');

/** Names match across re-imports whatever the case, spacing or Unicode form. */
export const nameKey = (name: string) =>
  name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');

/** A display name as stored: single spaces, no padding. */
export const cleanName = (name: string) => name.replace(/\s+/g, ' ').trim();

export const MAX_NAME_LENGTH = 80;

export type RowProblem = {
  line: number;
  column: string;
  problem: 'required' | 'too_long' | 'unknown_value' | 'duplicate' | 'missing_column' | 'ambiguous';
};

export interface CsvRow {
  /** The file's line number of the row (the header is line 1). */
  line: number;
  /** Values by header code (`Họ tên` → `ho_ten`), trimmed. */
  record: Record<string, string>;
}

export type CsvRead = { ok: true; rows: CsvRow[] } | { ok: false; problems: RowProblem[] };

/** Parses the file and checks that the required columns are there; rows are validated by each import. */
export function readCsv(csv: string, required: readonly string[]): CsvRead {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    const delimiter = (csv.split('\n')[0] ?? '').includes(';') ? ';' : ',';
    rows = parse(csv, {
      columns: (h: string[]) => h.map(toCode),
      info: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
      delimiter,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { ok: false, problems: [{ line, column: '', problem: 'unknown_value' }] };
  }
  const header = rows[0] ? Object.keys(rows[0].record) : [];
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length)
    return {
      ok: false,
      problems: missing.map((column) => ({ line: 1, column, problem: 'missing_column' as const })),
    };
  return { ok: true, rows: rows.map(({ record, info }) => ({ line: info.lines, record })) };
}

/** A value's problem, if any, for a required display name (empty, too long). */
export function nameProblem(name: string): RowProblem['problem'] | undefined {
  if (!name) return 'required';
  if (name.length > MAX_NAME_LENGTH) return 'too_long';
  return undefined;
}
