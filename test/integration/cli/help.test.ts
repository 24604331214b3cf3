import { afterEach, describe, expect, it } from 'vitest';
import { killAllCli, runCli } from '../../support/cli-process.js';

const COMMANDS = ['run', 'check', 'backfill', 'replay', 'status', 'dlq', 'simulator', 'demo', 'catalog'];

describe('mpas-log-sync --help', () => {
  afterEach(async () => {
    await killAllCli();
  });

  it('lists every command, and each answers --help with its usage and exit 0', async () => {
    const top = await runCli(['--help'], {});
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    // One at a time: the machine is shared, and each child starts a TypeScript loader.
    for (const command of COMMANDS) {
      const result = await runCli([command, '--help'], {});
      expect(result.code, `${command} --help: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: mpas-log-sync ${command}\\b`));
    }
  });

  it('answers an unknown option with exit 2 and the command usage on stderr', async () => {
    for (const command of ['check', 'status', 'simulator']) {
      const result = await runCli([command, '--no-such-option'], {});
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--no-such-option');
      expect(result.stderr).toContain('usage: mpas-log-sync');
    }
    const dlq = await runCli(['dlq', 'purge'], {});
    expect(dlq.code).toBe(2);
    expect(dlq.stderr).toContain('dlq needs inspect or redrive, got "purge"');
  });
});
