import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';

/**
 * Content YAML as the loaders read it: YAML 1.2's core schema (no timestamps or binary), so a date such as
 * 2025-05-19 stays the string the schemas check; a key given twice is an error. js-yaml rather than the yaml
 * package: the same values, parsed in a quarter of the time on a cold start (the topic library, every start).
 * An error is thrown as one line with where it is (js-yaml's own message quotes the file's lines).
 */
export function parseYaml(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const at = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    throw new Error(`${err.reason}${at}`);
  }
}
