import type { Stream } from '../../core/events/event-schemas.js';

/** Which MPAS endpoint a request went to; also the `route` of the client's metrics hook. */
export type MpasRoute = 'token' | 'events' | 'admin-events';

/** Which grant the client authenticates with; decides which settings an auth error points at. */
export type MpasGrant = 'password' | 'client_credentials';

/** The settings to check when MPAS refuses the credentials of `grant` (names only, never values). */
export function credentialSettingsFor(grant: MpasGrant): string {
  return grant === 'password' ? 'MPAS_USERNAME/MPAS_PASSWORD' : 'MPAS_CLIENT_ID/MPAS_CLIENT_SECRET';
}

/**
 * Base of every MPAS client error; `cause` holds the underlying error (a fetch failure, a zod
 * error) when there is one. No subclass ever carries a token, password or client secret.
 */
export class MpasError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * MPAS refused the configured credentials: the token endpoint answered `invalid_grant`,
 * `invalid_client` or `unauthorized_client`, or an events endpoint answered 401 to a token that
 * had just been issued. Retrying will not help; an operator must fix a setting.
 */
export class MpasAuthError extends MpasError {
  constructor(
    readonly detail: { grant: MpasGrant; authRealm: string; status: number; oauthError?: string; description?: string },
    options?: { cause?: unknown },
  ) {
    const said = detail.description ? `: ${detail.description}` : '';
    const reason = `${detail.oauthError ?? `status ${detail.status}`}${said}`;
    const settings =
      detail.oauthError === 'invalid_client' || detail.oauthError === 'unauthorized_client'
        ? 'MPAS_CLIENT_ID/MPAS_CLIENT_SECRET'
        : credentialSettingsFor(detail.grant);
    super(`MPAS refused the ${detail.grant} credentials for realm ${detail.authRealm} (${reason}): check ${settings}`, options);
  }
}

/** 403 from an events endpoint: the account may log in but may not read events. */
export class MpasForbiddenError extends MpasError {
  constructor(
    readonly realm: string,
    readonly route: MpasRoute,
    options?: { cause?: unknown },
  ) {
    super(`the MPAS user lacks the view-events role in realm ${realm}: assign it in Role Mapping`, options);
  }
}

/** 404: the realm (the events realm, or the auth realm for the token endpoint) does not exist. */
export class MpasNotFoundError extends MpasError {
  constructor(
    readonly realm: string,
    readonly route: MpasRoute,
    options?: { cause?: unknown },
  ) {
    const setting = route === 'token' ? 'MPAS_AUTH_REALM' : 'MPAS_REALMS';
    super(`MPAS has no realm ${realm} (404 from the ${route} endpoint): check ${setting} and MPAS_BASE_URL`, options);
  }
}

/**
 * MPAS kept answering 429/5xx, timing out or dropping connections through every attempt.
 * Transient: the caller leaves its cursor where it is and tries again on the next run.
 */
export class MpasUnavailableError extends MpasError {
  constructor(
    readonly detail: { route: MpasRoute; attempts: number; lastStatus?: number; retryAfterMs?: number; lastFailure?: string },
    options?: { cause?: unknown },
  ) {
    const last = detail.lastStatus !== undefined ? `status ${detail.lastStatus}` : (detail.lastFailure ?? 'a connection failure');
    const retry = detail.retryAfterMs !== undefined ? `; the server asked to retry after ${detail.retryAfterMs} ms` : '';
    super(`MPAS ${detail.route} endpoint unavailable after ${detail.attempts} attempts, last with ${last}${retry}`, options);
  }

  /** The status of the last attempt; undefined when it failed without a response. */
  get lastStatus(): number | undefined {
    return this.detail.lastStatus;
  }

  /** The wait the server last asked for (`Retry-After`), when it asked. */
  get retryAfterMs(): number | undefined {
    return this.detail.retryAfterMs;
  }
}

/**
 * A 200 whose body is not what the endpoint promises: not JSON, or not a list of events of the
 * stream's schema. `issues` name each bad field, e.g. `events[3].time: expected number`.
 */
export class MpasResponseError extends MpasError {
  constructor(
    readonly detail: { route: MpasRoute; realm: string; stream?: Stream; issues: string[] },
    options?: { cause?: unknown },
  ) {
    const shown = detail.issues.slice(0, 5).join('; ');
    const more = detail.issues.length > 5 ? ` (and ${detail.issues.length - 5} more)` : '';
    super(`MPAS ${detail.route} endpoint of realm ${detail.realm} returned an invalid body: ${shown}${more}`, options);
  }
}

/**
 * A status the client has no rule for (400 other than the legacy probe's, 405, ...): the request
 * itself was refused, so repeating it will not help.
 */
export class MpasRequestRejectedError extends MpasError {
  constructor(
    readonly detail: { route: MpasRoute; realm: string; status: number; serverMessage?: string },
    options?: { cause?: unknown },
  ) {
    const said = detail.serverMessage ? `: ${detail.serverMessage}` : '';
    super(`MPAS ${detail.route} endpoint of realm ${detail.realm} refused the request with status ${detail.status}${said}`, options);
  }
}

/**
 * The server's answers cannot be paged through safely: one millisecond holds more events than
 * the walk will read in one request, or the list keeps shifting under the walk (a server that
 * ignores `first`, or one whose event table changes faster than it can be read). The cursor did
 * not move; the message says what was seen.
 */
export class MpasPagingError extends MpasError {
  constructor(
    readonly detail: { route: MpasRoute; realm: string; problem: string },
    options?: { cause?: unknown },
  ) {
    super(`MPAS ${detail.route} endpoint of realm ${detail.realm} cannot be paged through: ${detail.problem}`, options);
  }
}

/**
 * An answer weighed more than `MPAS_MAX_PAGE_BYTES`: its read was cut at the limit, nothing of it
 * is used. The walks read a smaller page when they can (half the events, down to what one
 * millisecond needs); this error is what remains when even that is too large.
 */
export class MpasPageTooLargeError extends MpasError {
  constructor(
    readonly detail: { route: MpasRoute; realm: string; limitBytes: number; max?: number },
    options?: { cause?: unknown },
  ) {
    const asked = detail.max !== undefined ? ` (${detail.max} events asked for)` : '';
    super(
      `MPAS ${detail.route} endpoint of realm ${detail.realm} sent more than ${detail.limitBytes} bytes${asked}, the limit MPAS_MAX_PAGE_BYTES (mpas.maxPageBytes): the read was cut; raise the limit if pages this large are expected`,
      options,
    );
  }
}
