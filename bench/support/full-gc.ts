import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `--expose-gc` at run time: a context made after the flag is set gets `gc`, without asking
// every way of starting a benchmark to pass the flag to node.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A full, synchronous garbage collection, so a measurement starts from a clean heap. */
export function fullGc(): void {
  gc();
}
