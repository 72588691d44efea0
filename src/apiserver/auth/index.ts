// What other layers use of auth/: the contracts, the access checker resources receive, and the
// 403 wording.

export type { AuthorizationAttributes, AuthorizationResult, Authorizer, Authenticator, ResourceAttributes, NonResourceAttributes } from './types.js';
export { AuthorizerAccessChecker, staticAccessChecker, type AccessChecker, type AccessRequest } from './access.js';
export { forbiddenError } from './forbidden.js';
