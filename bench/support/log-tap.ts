/**
 * Counts what the Lambda handlers write to stdout and stderr (their JSON log lines and the EMF
 * documents of their metrics, which CloudWatch Logs ingests and bills alike), by phase of a
 * benchmark, and keeps it off the terminal. Lambda's own platform lines (start, report) are not
 * written by the handlers and are not counted here.
 */
export interface LogTally {
  bytes: number;
  lines: number;
  /** Bytes of the EMF documents among them. */
  emfBytes: number;
  /** Each custom metric with its dimension names, `Name [dim,dim]`: what CloudWatch bills per month. */
  metricSeries: string[];
}

type Write = typeof process.stdout.write;

/** Starts counting; `phase` names where the next lines go; `stop` restores the streams. */
export function tapLogs(): { phase(name: string): void; tallies(): Record<string, LogTally>; stop(): void } {
  const tallies: Record<string, LogTally & { series: Set<string> }> = {};
  let current = 'start';
  const count = (chunk: string | Uint8Array): void => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const tally = (tallies[current] ??= { bytes: 0, lines: 0, emfBytes: 0, metricSeries: [], series: new Set() });
    tally.bytes += Buffer.byteLength(text);
    for (const line of text.split('\n').filter((part) => part.length > 0)) {
      tally.lines += 1;
      if (!line.startsWith('{"_aws"')) continue;
      tally.emfBytes += Buffer.byteLength(line) + 1;
      const document = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
      for (const { Dimensions, Metrics } of document._aws.CloudWatchMetrics) {
        for (const { Name } of Metrics) tally.series.add(`${Name} [${Dimensions.flat().join(',')}]`);
      }
    }
  };
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream) as Write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      count(chunk);
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  }
  return {
    phase: (name) => {
      current = name;
    },
    tallies: () =>
      Object.fromEntries(Object.entries(tallies).map(([name, { series, ...tally }]) => [name, { ...tally, metricSeries: [...series].sort() }])),
    stop: () => streams.forEach((stream, index) => (stream.write = originals[index]!)),
  };
}
