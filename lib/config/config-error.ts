/**
 * One thing wrong with the configuration. `setting` names where the value came from, so the
 * operator knows what to fix: an environment variable (`MPAS_PAGE_SIZE`), a JSON path in the
 * config file (`siem.url (in tenant.json)`), or the file itself.
 */
export interface ConfigProblem {
  readonly setting: string;
  readonly message: string;
}

/**
 * The configuration cannot be used. Carries every problem found, not only the first, so one
 * start-up attempt shows the operator the whole list. Messages never contain secret values.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(formatProblems(problems), options);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** The config file is missing, unreadable, not JSON, or not a JSON object. */
export class ConfigFileError extends ConfigError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super([{ setting: file, message }], options);
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`invalid configuration (${count}):`, ...problems.map((p) => `${p.setting}: ${p.message}`)].join('\n');
}
