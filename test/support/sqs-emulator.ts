import { startFauxqs } from 'fauxqs';
import { freePort } from './dynamodb-local.js';

/** A running fauxqs SQS emulator. */
export interface SqsEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the fauxqs emulator in this process on a free loopback port, its request log off.
 * Retries with another port when the chosen one was taken between the probe and the listen.
 */
export async function startSqsEmulator(options: { attempts?: number } = {}): Promise<SqsEmulator> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const server = await startFauxqs({ port, host: 'localhost', logger: false });
      // The client is given this endpoint explicitly, so the queue URL's host (sqs.<region>.localhost)
      // is never resolved: the SDK only takes it as the endpoint when none is configured.
      return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= attempts) throw error;
    }
  }
}
