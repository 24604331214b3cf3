import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/core/time/clock.js';
import type { ResolvedSimulatorOptions } from './simulator-options.js';

/** What an access token grants. */
export interface TokenGrant {
  /** The realm the token was issued in. */
  realm: string;
  roles: readonly string[];
  expiresAt: number;
}

/** An HTTP answer the router sends as JSON. */
export interface JsonReply {
  status: number;
  body: unknown;
}

const BAD_CLIENT = 'Invalid client or Invalid client credentials';

/**
 * Keycloak's token endpoint (`/realms/{realm}/protocol/openid-connect/token`) for the two
 * grants the log sync uses, with Keycloak's error bodies, and the store of issued tokens.
 * Tokens are opaque random strings that expire by the injected clock.
 */
export class TokenIssuer {
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly clock: Clock;

  constructor(private readonly options: ResolvedSimulatorOptions) {
    // Token expiry runs on the server's clock (injected clock plus clockSkewMs), as Keycloak's
    // Time.currentTime() does on the real server.
    this.clock = options.serverClock;
  }

  /** Answers one token request of `realm` whose form body is `form`. */
  issue(realm: string, form: URLSearchParams): JsonReply {
    if (!this.options.realms.includes(realm)) return { status: 404, body: { error: 'Realm does not exist' } };
    const grantType = form.get('grant_type');
    if (!grantType) return { status: 400, body: { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' } };
    if (grantType !== 'password' && grantType !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' } };
    }
    const clientId = form.get('client_id');
    if (!clientId) return { status: 400, body: { error: 'invalid_client', error_description: 'Missing client_id parameter' } };

    // admin-cli is the public client every Keycloak realm has; configured clients are confidential.
    const client = this.options.clients.find((c) => c.realm === realm && c.clientId === clientId);
    if (!client && clientId !== 'admin-cli') return { status: 401, body: { error: 'invalid_client', error_description: BAD_CLIENT } };
    if (client && form.get('client_secret') !== client.secret) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: BAD_CLIENT } };
    }

    if (grantType === 'client_credentials') {
      if (!client) return { status: 401, body: { error: 'unauthorized_client', error_description: 'Public client not allowed to retrieve service account' } };
      return this.grant(realm, client.roles, false);
    }
    const user = this.options.users.find(
      (u) => u.realm === realm && u.username === form.get('username') && u.password === form.get('password'),
    );
    if (!user) return { status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } };
    return this.grant(realm, user.roles, true);
  }

  /** The grant behind a bearer token, or undefined when it is unknown, revoked or expired. */
  verify(token: string | undefined): TokenGrant | undefined {
    if (!token) return undefined;
    const grant = this.tokens.get(token);
    if (!grant) return undefined;
    if (this.clock.now() >= grant.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return grant;
  }

  /** Forgets every token, as a restarted server or rotated keys would. */
  revokeAll(): void {
    this.tokens.clear();
  }

  private grant(realm: string, roles: readonly string[], withRefresh: boolean): JsonReply {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { realm, roles: [...roles], expiresAt: this.clock.now() + this.options.tokenLifetimeMs });
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: Math.floor(this.options.tokenLifetimeMs / 1000),
        refresh_expires_in: withRefresh ? 1800 : 0,
        token_type: 'Bearer',
        'not-before-policy': 0,
        scope: 'profile email',
      },
    };
  }
}
