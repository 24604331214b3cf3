import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** The machine a figure was measured on, written into every results file. */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the measurement started. */
  loadAverage: [number, number, number];
  measuredAt: string;
}

// os.cpus() reports the model, but /proc/cpuinfo is what the issue asks for and is more exact in VMs.
function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((text) => text.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Describes this machine now; call it at the start of a measurement, so the load is the one it ran under. */
export function machineInfo(): MachineInfo {
  const [one, five, fifteen] = loadavg();
  return {
    nproc: cpus().length,
    cpuModel: cpuModel(),
    memoryGiB: round2(totalmem() / 2 ** 30),
    freeMemoryGiB: round2(freemem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: [round2(one ?? 0), round2(five ?? 0), round2(fifteen ?? 0)],
    measuredAt: new Date().toISOString(),
  };
}

/** One line for a table's caption: `2 x AMD EPYC, 23.5 GiB, node v20.20.2, load 4.43 4.27 4.50`. */
export function machineLine(machine: MachineInfo): string {
  return `${machine.nproc} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverage.join(' ')}`;
}
