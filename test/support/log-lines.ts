/** A pino destination keeping every JSON line the app logged, parsed, as a log collector would see it. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  write(line: string) {
    this.raw.push(line);
    this.lines.push(JSON.parse(line));
  }
  /** Lines at a pino level (40 warn, 50 error). */
  at(level: number) {
    return this.lines.filter((l) => l.level === level);
  }
}
