import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceMetrics } from '../../../lib/aws/service-metrics.js';

/** A Powertools logger at `level` whose JSON lines (written to stdout or stderr) are collected instead of printed. */
function collectingLogger(level: 'DEBUG' | 'INFO'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const collect = ((chunk: string | Uint8Array) => {
    written.push(...String(chunk).split('\n').filter((line) => line.length > 0));
    return true;
  }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  vi.spyOn(process.stderr, 'write').mockImplementation(collect);
  const logger = new Logger({ serviceName: 'test', logLevel: level });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('serviceMetrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says "no application metrics to publish" of an idle invocation at debug level only, in the function\'s JSON log', () => {
    const atInfo = collectingLogger('INFO');
    serviceMetrics('mpas-log-sync-poller', atInfo.logger).publishStoredMetrics();
    expect(atInfo.lines()).toEqual([]);

    vi.restoreAllMocks();
    const atDebug = collectingLogger('DEBUG');
    serviceMetrics('mpas-log-sync-poller', atDebug.logger).publishStoredMetrics();
    expect(atDebug.lines()).toEqual([expect.objectContaining({ level: 'DEBUG', message: expect.stringMatching(/^No application metrics to publish/) as unknown })]);
  });

  it('keeps Powertools\' other warnings as warnings', () => {
    const { logger, lines } = collectingLogger('INFO');
    serviceMetrics('mpas-log-sync-poller', logger).addDimension('', 'x');
    expect(lines()).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining("doesn't meet the requirements") as unknown })]);
  });
});
