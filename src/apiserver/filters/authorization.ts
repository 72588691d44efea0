// May the caller do this: resource attributes from the request info, or the non-resource path.
// A denial is 403 with kube-apiserver's message; an authorizer that could not decide is a 500 in
// plain text (as k8s.io/apiserver's InternalError writes it), never an allow.

import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { forbiddenError } from '../auth/forbidden.js';
import type { AuthorizationAttributes, Authorizer } from '../auth/types.js';
import { requestState, type RequestState } from '../endpoints/request-state.js';
import { errors, TextError } from '../errors/index.js';

export function authorization(authorizer: Authorizer, logger: Logger, onAllowed?: (req: IncomingMessage, state: RequestState) => void): RequestHandler {
  return async (req, _res, next) => {
    const state = requestState(req);
    const user = state.user;
    if (!user) throw errors.unauthorized();
    const i = state.info;
    const attrs: AuthorizationAttributes = i.isResourceRequest
      ? { user, resource: { verb: i.verb, group: i.apiGroup, version: i.apiVersion, resource: i.resource, subresource: i.subresource, name: i.name, namespace: i.namespace } }
      : { user, nonResource: { verb: i.verb, path: i.path } };
    const result = await authorizer.authorize(attrs);
    if (result.decision === 'allow') {
      onAllowed?.(req, state);
      next();
      return;
    }
    if (result.error) {
      logger.error({ auditID: state.auditID, err: result.error }, 'authorization failed');
      throw new TextError(500, `Internal Server Error: ${JSON.stringify(req.url ?? '')}: ${result.error}`);
    }
    throw forbiddenError(attrs, result.reason);
  };
}
