/** A problem found in content/, named by file and path inside it, for content:check and start-up. */
export type ContentProblem = { file: string; path: string; message: string };

export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(
      `Invalid content:\n${problems.map((p) => `  ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ContentError';
  }
}
