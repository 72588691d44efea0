// Who is calling: the authenticator chain decides, or the request ends here with 401.

import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/types.js';
import { requestState } from '../endpoints/request-state.js';
import { errors } from '../errors/index.js';

export function authentication(authenticator: Authenticator, logger: Logger): RequestHandler {
  return async (req, _res, next) => {
    const state = requestState(req);
    const authn = await authenticator.authenticate(req);
    if (authn.kind !== 'authenticated') {
      logger.debug({ auditID: state.auditID, reason: authn.kind === 'error' ? authn.error : 'none' }, 'unauthorized');
      throw errors.unauthorized();
    }
    state.user = authn.user;
    next();
  };
}
