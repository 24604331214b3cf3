/**
 * A report definition or its run is wrong. `field` names the place in the definition (`query`,
 * `params[0].name`, `postProcessing.filter.AND[1]["duser"]`) or the option (`--param username`);
 * `problem` says what is wrong.
 */
export class ReportError extends Error {
  override readonly name: string = 'ReportError';
  constructor(
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}
