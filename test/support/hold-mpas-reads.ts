import type { MpasSimulator } from '../../devtools/mpas-simulator/index.js';

/** Longer than any test: a request held this long is never answered (the client aborts it, or close() drops it). */
const HOLD_MS = 600_000;

/**
 * Once the `reads`-th read of an events endpoint (the API-mode probe counts) is answered, every
 * later request to the simulator is held, so a client stopped afterwards is stopped with its
 * next read in flight, however late the stop comes. The hook is the fail-rate draw, which the
 * simulator makes once per events read, after the read's latency and before its answer; the
 * draw returned here is never below the rate, so no read fails.
 */
export function holdMpasAfterReads(simulator: MpasSimulator, reads: number): void {
  let answered = 0;
  simulator.faults.setFailRate(0.5, () => {
    answered += 1;
    if (answered === reads) simulator.faults.setLatency(HOLD_MS);
    return 0.99;
  });
}

/** Answers later requests at once again (one already held stays held) and stops counting reads. */
export function releaseMpasReads(simulator: MpasSimulator): void {
  simulator.faults.setFailRate(0, () => 1);
  simulator.faults.setLatency(0);
}
