// Prints the rows of each benchmark run by scripts/bench-compare.sh, base and head of each round
// one under the other, so that a difference reads off one column.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [work, rounds, ...benches] = process.argv.slice(2);
for (const bench of benches) {
  console.log(`\n${bench}`);
  for (let round = 1; round <= Number(rounds); round += 1) {
    for (const side of ['base', 'head']) {
      const result = JSON.parse(readFileSync(join(work, `${side}-${bench}-${round}.json`), 'utf8'));
      for (const row of result.rows) {
        const cells = Object.entries(row).map(([key, value]) => `${key}=${typeof value === 'number' ? Math.round(value * 100) / 100 : value}`);
        console.log(`  round ${round} ${side.padEnd(4)} load ${result.machine.loadAverage[0].toFixed(2)}  ${cells.join('  ')}`);
      }
    }
  }
}
