import { Logger } from '@aws-lambda-powertools/logger';

/** One line a {@link recordingLogger} kept. */
export interface RecordedLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A Powertools logger whose info, warn and error lines are kept (level, message and fields) instead of printed. */
export function recordingLogger(): { logger: Logger; lines: RecordedLine[] } {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const lines: RecordedLine[] = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    logger[level] = ((message: string, fields: Record<string, unknown> = {}) => lines.push({ level, message, fields })) as Logger['info'];
  }
  return { logger, lines };
}
