import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { waitUntil } from '../../support/cli-process.js';
import { NPM_INSTALL_FLAGS } from './npm-install-flags.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = join(REPO_ROOT, 'deploy/container/Dockerfile');
const run = promisify(execFile);

/** The backlog the packaged simulator holds: one hour, the newest a spacing (90 s) old, so all of it is past the settle window. */
const BACKLOG = 40;

/**
 * Records every module node loads (ES modules and require alike) into the file named by
 * LOADED_MODULES_FILE when the process exits: which files the installed command really ran.
 */
const RECORD_LOADED_MODULES = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const loaded = new Set();
registerHooks({ load(url, context, nextLoad) { loaded.add(url); return nextLoad(url, context); } });
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, [...loaded].join('\\n')));
`;

/**
 * The package as users get it: `npm pack` of this repository (its prepack builds dist/), the
 * tarball installed into an empty folder as the Dockerfile installs it, and the installed command
 * run from there with a bare environment, against the simulator the package itself ships.
 */
describe('the npm package', () => {
  let work: string;
  let installDir: string;
  let bin: string;
  let receiver: SiemReceiver;
  const timings: Record<string, number> = {};

  async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await step();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  }

  /** The installed command, with only PATH and HOME from this process, in the install folder. */
  function installed(args: readonly string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []) {
    return run(process.execPath, [...nodeArgs, bin, ...args], {
      cwd: installDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`mpas-log-sync ${args.join(' ')} exited ${error.code}\n${error.stderr}\n${error.stdout}`);
    });
  }

  beforeAll(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'mpas-package-')));
    const packDir = join(work, 'pack');
    installDir = join(work, 'install');
    await mkdir(packDir);
    await mkdir(installDir);
    await timed('npm pack', () => run('npm', ['pack', '--pack-destination', packDir], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }));
    const [tarball, ...others] = await readdir(packDir);
    expect(others).toEqual([]);
    await writeFile(join(installDir, 'package.json'), JSON.stringify({ name: 'package-install-check', private: true }));
    await timed('npm install', () =>
      run('npm', ['install', ...NPM_INSTALL_FLAGS, join(packDir, tarball ?? '')], { cwd: installDir, maxBuffer: 16 * 1024 * 1024 }),
    );
    bin = join(installDir, 'node_modules/.bin/mpas-log-sync');
    receiver = await startSiemReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    if (work) await rm(work, { recursive: true, force: true });
    console.log(`package install test: ${JSON.stringify(timings)} ms`);
  });

  it('installs compiled JavaScript only: no TypeScript sources, no TypeScript loader or compiler', async () => {
    const packageDir = join(installDir, 'node_modules/mpas-log-sync');
    const files = await listFiles(packageDir);
    expect(files).toContain('dist/main.js');
    expect(files).toContain('bin/mpas-log-sync.js');
    expect(files.filter((file) => /\.[cm]?tsx?$/.test(file))).toEqual([]);
    expect(files.filter((file) => file.startsWith('lib/') || file.startsWith('devtools/') || file.startsWith('test/'))).toEqual([]);
    for (const devOnly of ['tsx', 'esbuild', 'typescript', 'vitest']) expect(existsSync(join(installDir, 'node_modules', devOnly)), devOnly).toBe(false);
  });

  it('runs --help through the installed command as a shell runs it', async () => {
    const { stdout } = await timed('--help', () => run(bin, ['--help'], { cwd: installDir, env: { PATH: process.env.PATH ?? '' } }));
    expect(stdout).toMatch(/^mpas-log-sync \d+\.\d+\.\d+: /);
    for (const command of ['run', 'check', 'simulator']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('checks, then delivers once from its own simulator to a SIEM, loading no file from outside the install folder', async () => {
    const simulator = spawn(process.execPath, [bin, 'simulator', '--port', '0', '--rate', '0', '--backlog', String(BACKLOG), '--json'], {
      cwd: installDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    try {
      const simulatorSettings = await simulatorSettingsOf(simulator);
      const configFile = join(work, 'config.json');
      await writeFile(
        configFile,
        JSON.stringify({
          tenant: 'package-check',
          mpas: { startFrom: new Date(Date.now() - 2 * 3_600_000).toISOString() },
          siem: { type: 'https', url: `${receiver.url}/ingest`, batch: 'array' },
        }),
      );
      const stateDir = join(work, 'state');
      const env = { ...simulatorSettings, MPAS_LOG_SYNC_CONFIG: configFile, STATE_DIR: stateDir };

      const check = await timed('check', () => installed(['check'], env));
      expect(check.stdout).toContain('all checks passed');
      expect(receiver.received()).toHaveLength(0);

      const hook = join(work, 'record-loaded-modules.mjs');
      await writeFile(hook, RECORD_LOADED_MODULES);
      const loadedModulesFile = join(work, 'loaded-modules.txt');
      const installedBefore = await snapshot(installDir);
      await timed('run --once', () => installed(['run', '--once'], { ...env, LOADED_MODULES_FILE: loadedModulesFile }, ['--import', hook]));

      const items = receiver.received();
      expect(items).toHaveLength(BACKLOG);
      const events = items.map((item) => item.json as { eventType: string; event: { id: string; ipAddress?: string; authDetails?: { ipAddress?: string } } });
      expect(new Set(events.map((entry) => entry.event.id)).size).toBe(BACKLOG);
      const addresses = events.map((entry) => entry.event.ipAddress ?? entry.event.authDetails?.ipAddress);
      expect(addresses.every((address) => address === '<redacted>')).toBe(true);
      expect(await readdir(stateDir)).not.toHaveLength(0);
      expect(await snapshot(installDir), 'the run wrote into the install folder').toEqual(installedBefore);

      const files = (await readFile(loadedModulesFile, 'utf8'))
        .split('\n')
        .filter((url) => url.startsWith('file:'))
        .map((url) => fileURLToPath(url))
        .filter((path) => path !== hook);
      expect(files).toContain(join(installDir, 'node_modules/mpas-log-sync/dist/main.js'));
      expect(files.some((path) => path.includes(`${sep}node_modules${sep}undici${sep}`)), 'CommonJS dependencies (undici) are recorded too').toBe(true);
      expect(files.filter((path) => !path.startsWith(installDir + sep))).toEqual([]);
      expect(files.filter((path) => /\.[cm]?tsx?$/.test(path) || path.includes(`${sep}tsx${sep}`))).toEqual([]);
    } finally {
      simulator.kill('SIGTERM');
    }
  });

  it("answers the Dockerfile's HEALTHCHECK from a running installed run", async () => {
    const healthcheck = /^HEALTHCHECK .*CMD \["node", "-e", (".*")\]$/m.exec(await readFile(DOCKERFILE, 'utf8'))?.[1];
    expect(healthcheck, 'the Dockerfile has a HEALTHCHECK running node -e').toBeDefined();
    const script = JSON.parse(healthcheck ?? '""') as string;
    const simulator = spawn(process.execPath, [bin, 'simulator', '--port', '0', '--rate', '0', '--backlog', '0', '--json'], { cwd: installDir, env: { PATH: process.env.PATH ?? '' } });
    const service = spawn(process.execPath, [bin, 'run', '--health-port', '0'], {
      cwd: installDir,
      env: { PATH: process.env.PATH ?? '', ...(await simulatorSettingsOf(simulator)), SIEM_URL: `${receiver.url}/ingest`, STATE_DIR: join(work, 'health-state'), MPAS_START_FROM: 'now' },
    });
    try {
      let log = '';
      service.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
      const healthUrl = await waitUntil(() => /"message":"health endpoint listening".*?"url":"([^"]+)"/.exec(log)?.[1], 'the health endpoint', 30_000);
      const port = new URL(healthUrl).port;
      // The image serves on its fixed port; here the run took a free one.
      const probe = script.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      expect(probe).not.toBe(script);
      await waitUntil(async () => ((await fetch(healthUrl)).ok ? true : undefined), 'a healthy run', 30_000);
      await expect(run(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH ?? '' } })).resolves.toBeDefined();
      service.kill('SIGTERM');
      await new Promise((resolve) => service.once('close', resolve));
      await expect(run(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH ?? '' } })).rejects.toMatchObject({ code: 1 });
    } finally {
      service.kill('SIGKILL');
      simulator.kill('SIGTERM');
    }
  });
});

/** The environment the packaged simulator prints to point mpas-log-sync at it (`simulator --json`). */
async function simulatorSettingsOf(simulator: ChildProcessWithoutNullStreams): Promise<Record<string, string>> {
  let output = '';
  let errors = '';
  simulator.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  simulator.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const line = await waitUntil(
    () => {
      if (simulator.exitCode !== null) throw new Error(`the simulator exited ${simulator.exitCode}: ${errors}`);
      return output.includes('\n') ? output.slice(0, output.indexOf('\n')) : undefined;
    },
    'the simulator to print its settings',
    30_000,
  );
  return (JSON.parse(line) as { settings: Record<string, string> }).settings;
}

/** Every file under `dir`, relative to it, '/'-separated. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** Each file under `dir` with its size and modification time: what a write would change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files = await listFiles(dir);
  const entries = await Promise.all(files.map(async (file) => [file, await stat(join(dir, file)).then((s) => `${s.size}@${s.mtimeMs}`)] as const));
  return Object.fromEntries(entries);
}
