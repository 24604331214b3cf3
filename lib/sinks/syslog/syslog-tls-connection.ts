import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';

/** Where and how to open the TLS connection to a syslog server. */
export interface SyslogTlsTarget {
  host: string;
  port: number;
  /** Trusted roots (the public ones plus a private CA), or undefined for Node's defaults. */
  ca?: string[] | undefined;
  /** Connect and handshake, and each write, at most this long. */
  timeoutMs: number;
}

/** A write or connect that did not complete: the frames it carried may not have arrived. */
export class SyslogConnectionError extends Error {
  constructor(
    message: string,
    /** The socket error's code (`ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`...), when there is one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SyslogConnectionError';
  }
}

/**
 * One TLS connection to a syslog server, certificate and host name checked. A syslog server
 * never writes back, so anything that ends the connection from its side (a FIN, a reset, an
 * error) is a drop, noted in `droppedReason` whenever it happens, also between writes.
 */
export class SyslogTlsConnection {
  /** Why the server's side ended, once it has; undefined while the connection is healthy. */
  droppedReason: string | undefined;
  private closing = false;

  private constructor(
    private readonly socket: TLSSocket,
    onDrop: (reason: string) => void,
  ) {
    const drop = (reason: string) => {
      if (this.closing || this.droppedReason !== undefined) return;
      this.droppedReason = reason;
      onDrop(reason);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => drop(describe(error)));
    socket.on('end', () => drop('the server closed the connection'));
    socket.on('close', () => drop('the connection closed'));
    // Read (and discard) whatever arrives, so a FIN or reset is noticed even between writes.
    socket.on('data', () => undefined);
  }

  /**
   * Connects and completes the handshake; rejects with a `SyslogConnectionError`. `onDrop` is
   * called once if the server's side ends the connection later.
   */
  static open(target: SyslogTlsTarget, onDrop: (reason: string) => void, signal?: AbortSignal): Promise<SyslogTlsConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: target.host,
        port: target.port,
        // SNI only for names: RFC 6066 forbids IP addresses in server_name; the check still runs.
        servername: /^[\d.]+$|:/.test(target.host) ? '' : target.host,
        rejectUnauthorized: true,
        ...(target.ca ? { ca: target.ca } : {}),
      });
      const fail = (error: SyslogConnectionError) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const onAbort = () => fail(new SyslogConnectionError('connection aborted: the delivery was stopped'));
      const timer = setTimeout(() => fail(new SyslogConnectionError(`timeout: no TLS connection within ${target.timeoutMs} ms`)), target.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (error: NodeJS.ErrnoException) => fail(new SyslogConnectionError(describe(error), error.code, { cause: error })));
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(new SyslogTlsConnection(socket, onDrop));
      });
    });
  }

  /**
   * Writes `bytes` and resolves once they are handed to the operating system and the connection
   * is still up one I/O round later (so a server that resets at once is noticed here rather than
   * at the next write). Rejects with a `SyslogConnectionError` otherwise.
   */
  async write(bytes: Buffer, timeoutMs: number): Promise<void> {
    if (this.droppedReason !== undefined) throw new SyslogConnectionError(this.droppedReason);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A server that stopped reading: the socket is useless from now on.
        this.droppedReason ??= `timeout: the write was not taken within ${timeoutMs} ms`;
        this.socket.destroy();
        reject(new SyslogConnectionError(this.droppedReason));
      }, timeoutMs);
      this.socket.write(bytes, (error) => {
        clearTimeout(timer);
        if (error) reject(new SyslogConnectionError(describe(error as NodeJS.ErrnoException), (error as NodeJS.ErrnoException).code, { cause: error }));
        else resolve();
      });
    });
    await new Promise((resolve) => setImmediate(resolve));
    if (this.droppedReason !== undefined) throw new SyslogConnectionError(this.droppedReason);
  }

  /** Ends the connection with a TLS close_notify (RFC 5425 section 4.4), or destroys it after `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  /** Drops the connection at once (after a drop or a timeout). */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }
}

function describe(error: NodeJS.ErrnoException): string {
  return `connection error${error.code ? ` ${error.code}` : ''}: ${error.message}`;
}
