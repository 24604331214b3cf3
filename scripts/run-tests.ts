/**
 * `npm test`: the type check, the linter, the unit tests and the integration tests, with the
 * integration tests (the long pole: one file at a time, mostly waiting on the processes they
 * start) running beside the other three, which run one after another. On this project's 2-core
 * machines that takes the suite from about 11 minutes to about 8. The integration output is
 * streamed; each other step prints its output whole when it ends, so no two interleave within
 * a line. Exits non-zero when any step failed, after every step has finished.
 */
import { spawn } from 'node:child_process';

interface Step {
  name: string;
  command: string;
  args: string[];
}

interface StepResult {
  name: string;
  code: number;
  seconds: number;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const INTEGRATION: Step = { name: 'integration tests', command: npx, args: ['vitest', 'run', '--project', 'integration'] };
const CHAIN: Step[] = [
  { name: 'type check', command: npx, args: ['tsc', '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'lint', command: npx, args: ['eslint', '.'] },
  { name: 'unit tests', command: npx, args: ['vitest', 'run', '--project', 'unit'] },
];

function run(step: Step, stream: boolean): Promise<StepResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    // Non-interactive output for both: vitest's live progress lines would fight over one terminal.
    const child = spawn(step.command, step.args, { env: { ...process.env, CI: process.env['CI'] ?? 'true', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const buffered: Buffer[] = [];
    const take = (chunk: Buffer, to: NodeJS.WriteStream): void => {
      if (stream) to.write(chunk);
      else buffered.push(chunk);
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, process.stderr));
    const finish = (code: number): void => {
      const seconds = Math.round((Date.now() - started) / 1000);
      if (!stream) process.stdout.write(`\n===== ${step.name} (${code === 0 ? 'passed' : `FAILED, exit ${code}`}, ${seconds} s) =====\n${Buffer.concat(buffered).toString('utf8')}\n`);
      resolve({ name: step.name, code, seconds });
    };
    child.on('error', (error) => {
      buffered.push(Buffer.from(`${step.command} could not start: ${error.message}\n`));
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

async function runChain(steps: readonly Step[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) results.push(await run(step, false));
  return results;
}

const [integration, chain] = await Promise.all([run(INTEGRATION, true), runChain(CHAIN)]);
const results = [...chain, integration];
process.stdout.write(`\n${results.map(({ name, code, seconds }) => `${code === 0 ? 'passed' : 'FAILED'}  ${name} (${seconds} s)`).join('\n')}\n`);
process.exit(results.every(({ code }) => code === 0) ? 0 : 1);
