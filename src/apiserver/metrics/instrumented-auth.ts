// Decorators that time the authenticator chain and count each authorizer's terminal decisions.

import type { IncomingMessage } from 'node:http';
import type { AuthenticationResult, Authenticator, AuthorizationAttributes, AuthorizationResult, Authorizer } from '../auth/types.js';
import type { APIServerMetrics } from './apiserver-metrics.js';

export class InstrumentedAuthenticator implements Authenticator {
  constructor(
    private readonly inner: Authenticator,
    private readonly metrics: APIServerMetrics,
  ) {}

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const started = process.hrtime.bigint();
    const r = await this.inner.authenticate(req);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.kind === 'authenticated') this.metrics.authentication('success', seconds, r.user.username);
    else this.metrics.authentication(r.kind === 'error' ? 'error' : 'failure', seconds);
    return r;
  }
}

export class InstrumentedAuthorizer implements Authorizer {
  /** `type` and `name` as kube-apiserver labels them, e.g. ("Webhook", "webhook"). */
  constructor(
    private readonly inner: Authorizer,
    private readonly metrics: APIServerMetrics,
    private readonly type: string,
    private readonly name: string,
  ) {}

  async authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult> {
    const r = await this.inner.authorize(attrs);
    if (r.decision === 'allow') this.metrics.authorizationDecision(this.type, this.name, 'allowed');
    else if (r.decision === 'deny') this.metrics.authorizationDecision(this.type, this.name, 'denied');
    return r;
  }
}
