import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { realSleep } from '../../lib/core/time/sleep.js';

/** The npm package that ships AWS's DynamoDB Local jar; fetched with `npm pack`, never installed. */
const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the jar is unpacked, once per machine (`.cache/` is git-ignored). */
export const DYNAMODB_LOCAL_CACHE = join(REPO_ROOT, '.cache', 'dynamodb-local');

/** Where DynamoDB Local's jar and its native sqlite4java libraries are. */
export interface DynamoDbLocalFiles {
  jar: string;
  libDir: string;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Fails early, with the package to install, when there is no Java runtime on PATH. */
export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs a Java 17 runtime and `java -version` failed: install openjdk-17-jre-headless ' +
        '(apt-get install -y openjdk-17-jre-headless)',
      { cause: probe.error },
    );
  }
}

/**
 * Makes the DynamoDB Local jar available under `cacheDir`: fetched and unpacked once per machine.
 * Concurrent callers (several vitest runs) are serialised by a lock file; the unpacked tree is
 * renamed into place only when complete, so a crash never leaves a half-extracted jar behind.
 */
export async function ensureDynamoDbLocal(cacheDirectory = DYNAMODB_LOCAL_CACHE, deadlineMs = 300_000): Promise<DynamoDbLocalFiles> {
  // Absolute: npm runs with the cache as its working directory.
  const cacheDir = resolve(cacheDirectory);
  const extracted = join(cacheDir, 'unpacked');
  const found = await findJar(extracted);
  if (found) return found;
  await mkdir(cacheDir, { recursive: true });
  const lockPath = join(cacheDir, 'fetch.lock');
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const lock = await open(lockPath, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (lock) {
      try {
        await lock.writeFile(String(process.pid));
        await lock.close();
        return (await findJar(extracted)) ?? (await fetchAndExtract(cacheDir, extracted));
      } finally {
        await rm(lockPath, { force: true });
      }
    }
    // Another process is fetching: wait for its result, or take over when it died mid-fetch.
    const done = await findJar(extracted);
    if (done) return done;
    if (await lockIsStale(lockPath)) await rm(lockPath, { force: true });
    if (Date.now() > deadline) throw new Error(`DynamoDB Local: gave up waiting for the fetch lock ${lockPath}`);
    await realSleep(500);
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  const pid = Number(await readFile(lockPath, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) {
    // The holder has not written its pid yet, or the file is garbage: stale only once old.
    const info = await stat(lockPath).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 60_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function fetchAndExtract(cacheDir: string, extracted: string): Promise<DynamoDbLocalFiles> {
  const work = join(cacheDir, `tmp-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    await run('npm', ['pack', SIMULATOR_PACKAGE, '--pack-destination', work, '--silent'], cacheDir);
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`DynamoDB Local: npm pack ${SIMULATOR_PACKAGE} produced no tarball in ${work}`);
    const tree = join(work, 'tree');
    await mkdir(tree);
    await run('tar', ['-xzf', join(work, tarball), '-C', tree], cacheDir);
    if (!(await findJar(tree))) throw new Error(`DynamoDB Local: no DynamoDBLocal.jar inside ${SIMULATOR_PACKAGE}`);
    await rm(extracted, { recursive: true, force: true });
    await rename(tree, extracted);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const files = await findJar(extracted);
  if (!files) throw new Error(`DynamoDB Local: the jar vanished from ${extracted}`);
  return files;
}

/** Finds `DynamoDBLocal.jar` with its `DynamoDBLocal_lib` folder beside it, anywhere below `root`. */
async function findJar(root: string): Promise<DynamoDbLocalFiles | undefined> {
  if (!existsSync(root)) return undefined;
  const entries = await readdir(root, { recursive: true });
  const jar = entries.find((entry) => entry.endsWith('DynamoDBLocal.jar'));
  if (!jar) return undefined;
  const libDir = join(root, dirname(jar), 'DynamoDBLocal_lib');
  return existsSync(libDir) ? { jar: join(root, jar), libDir } : undefined;
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** A port that was free a moment ago: listen on 0, read it, close. The caller retries on a race. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePromise(address.port) : reject(new Error('no port assigned')),
      );
    });
  });
}

/**
 * Starts DynamoDB Local in memory on a free loopback port and resolves once it answers
 * ListTables. Retries with another port when the chosen one was taken in between.
 */
export async function startDynamoDbLocal(options: { startTimeoutMs?: number; attempts?: number } = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const files = await ensureDynamoDbLocal();
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await launch(files, port, options.startTimeoutMs ?? 60_000);
    if (started.ok) return started.local;
    if (!started.portTaken || attempt >= attempts) throw new Error(`DynamoDB Local did not start on port ${port}: ${started.reason}`);
  }
}

type LaunchResult = { ok: true; local: DynamoDbLocal } | { ok: false; portTaken: boolean; reason: string };

async function launch(files: DynamoDbLocalFiles, port: number, timeoutMs: number): Promise<LaunchResult> {
  // detached: the jar runs in its own process group, so stop() can end it and anything it forked.
  // -disableTelemetry: tests talk to nothing beyond loopback.
  const child = spawn(
    'java',
    [`-Djava.library.path=${files.libDir}`, '-jar', files.jar, '-inMemory', '-disableTelemetry', '-port', String(port)],
    { cwd: dirname(files.jar), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.on('exit', () => (exited = true));
  // If the test run dies without teardown, still take the jar down with it.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        process.removeListener('exit', killOnExit);
        return { ok: false, portTaken: /address already in use|BindException/i.test(output), reason: output.trim() };
      }
      const answered = await client
        .send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) })
        .then(() => true, () => false);
      if (answered) break;
      if (Date.now() > deadline) {
        killGroup(child, 'SIGKILL');
        process.removeListener('exit', killOnExit);
        return { ok: false, portTaken: false, reason: `no answer to ListTables within ${timeoutMs} ms; output: ${output.trim()}` };
      }
      await realSleep(200);
    }
  } finally {
    client.destroy();
  }
  return {
    ok: true,
    local: {
      endpoint,
      stop: async () => {
        process.removeListener('exit', killOnExit);
        if (exited) return;
        const gone = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      },
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
