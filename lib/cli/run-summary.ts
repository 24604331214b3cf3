import type { LocalRunSummary } from '../local/local-runner.js';
import { siemOf } from '../local/undelivered-error.js';

/**
 * How a run that left something behind ended, in words: what was delivered and committed, what
 * was not and why, and that nothing is lost (the cursor stayed where the undelivered part starts).
 */
export function describeRunEnd(summary: LocalRunSummary): string {
  const lines: string[] = [];
  const streams = Object.entries(summary.committed)
    .filter(([, events]) => events > 0)
    .map(([key, events]) => `${key.replace('#', ' ')} ${events}`);
  lines.push(`delivered and committed: ${summary.events} events${streams.length > 0 ? ` (${streams.join(', ')})` : ''}`);
  for (const undelivered of summary.undelivered) {
    const why = undelivered.cause ?? (undelivered.stopping ? 'stopped before it answered' : 'no answer');
    lines.push(`not delivered: ${undelivered.events} ${undelivered.realm} ${undelivered.stream} events (and what was read after them) to ${siemOf(undelivered.route)}: ${why}`);
  }
  for (const { realm, stream, error } of summary.unread) lines.push(`not read: ${realm} ${stream} from MPAS: ${error}`);
  if (summary.undelivered.length > 0 || summary.unread.length > 0) lines.push('nothing is lost: the cursor stayed before what was not delivered or read; the next run sends it');
  if (summary.deadLettered > 0) lines.push(`dead-lettered: ${summary.deadLettered} events, in ${summary.deadLetterFile} (see mpas-log-sync dlq)`);
  return lines.join('\n');
}
