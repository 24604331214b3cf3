/** One unusable sink setting: `setting` names it (`url`, `auth.token`, `caFile`...). */
export interface SinkConfigProblem {
  setting: string;
  message: string;
}

/**
 * A sink that cannot be built from its settings. Every problem is collected first, so one start
 * reports them all; messages name the setting and never include a secret's value.
 */
export class SinkConfigError extends Error {
  readonly problems: readonly SinkConfigProblem[];

  constructor(sink: string, problems: readonly SinkConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((problem) => `  ${problem.setting}: ${problem.message}`);
    super(`the ${sink} sink's settings are invalid:\n${lines.join('\n')}`, options);
    this.name = 'SinkConfigError';
    this.problems = problems;
  }
}
