import type { Sink } from './sink.js';

/**
 * A sink built at its first use: `build` (a SIEM type's `create`, which imports the type's
 * module) runs once, on the first delivery or health check, so that assembling the pipeline
 * stays synchronous and loading the configuration evaluates no sink's code. A failed build is
 * that delivery's error (the configuration reaches no sink before its schema accepted it); the
 * health check, which never throws, reports it.
 */
export function lazySink(name: string, build: () => Promise<Sink>): Sink {
  let built: Promise<Sink> | undefined;
  const sink = (): Promise<Sink> => (built ??= build());
  return {
    name,
    deliver: async (events, signal) => (await sink()).deliver(events, signal),
    healthcheck: async (options) => {
      let target: Sink;
      try {
        target = await sink();
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
      return target.healthcheck(options);
    },
    // Never built, it holds nothing to release; a build that failed holds nothing either.
    close: async () => {
      if (built === undefined) return;
      const target = await built.catch(() => undefined);
      await target?.close();
    },
  };
}
