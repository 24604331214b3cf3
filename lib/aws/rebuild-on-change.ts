/**
 * Wraps `build` so it runs again only when its input differs (by JSON value) from the last
 * call's. Lambda handlers load their configuration on every invocation, because a rotated
 * secret must take effect; the clients built from it (token caches, connection pools) are kept
 * across warm invocations as long as nothing changed.
 */
export function rebuildOnChange<I, O>(build: (input: I) => O): (input: I) => O {
  let last: { json: string; output: O } | undefined;
  return (input) => {
    const json = JSON.stringify(input);
    if (last?.json !== json) last = { json, output: build(input) };
    return last.output;
  };
}
