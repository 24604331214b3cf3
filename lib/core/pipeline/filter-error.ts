/**
 * A filter or field selection is invalid. `path` locates the bad node the way a reader finds it
 * in the JSON (`filter.AND[2].NOT`, `filter.OR[0]["event.type"]`); `problem` says what is wrong.
 * Thrown when the filter is compiled, at config load, never while events flow.
 */
export class FilterError extends Error {
  override readonly name: string = 'FilterError';
  constructor(
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${problem}`, options);
  }
}

/** A field selection (PAS 6.0's `paramColumns`) is invalid. */
export class FieldSelectionError extends FilterError {
  override readonly name: string = 'FieldSelectionError';
}
