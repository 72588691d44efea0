// Authentication and authorization contracts. Implementations live beside this file (local token,
// front-proxy, client certificates, TokenReview, SubjectAccessReview).

import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../registry/strategy.js';

export type AuthenticationResult =
  | { kind: 'authenticated'; user: UserInfo }
  /** No credential this authenticator understands: try the next one. */
  | { kind: 'not-handled' }
  /** A credential was presented and it is bad: 401 unless a later authenticator succeeds. */
  | { kind: 'error'; error: string };

export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<AuthenticationResult>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type AuthorizationAttributes =
  | { user: UserInfo; resource: ResourceAttributes }
  | { user: UserInfo; nonResource: NonResourceAttributes };

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  decision: Decision;
  reason?: string;
  /** Set when the decision could not be made (e.g. the SubjectAccessReview call failed). */
  error?: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Promise<AuthorizationResult>;
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
