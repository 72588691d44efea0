// The one place an error becomes a response. Express hands every error thrown (or rejected) by a
// filter or a route to the error-handling middleware registered last: a StatusError is written as
// its Status, a TextError as its text, anything else is a bug, logged once and answered 500.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestStateIfAny } from '../endpoints/request-state.js';
import { writeStatusError } from '../endpoints/response.js';
import { errors, StatusError, TextError } from '../errors/index.js';

export type ErrorWriter = (req: IncomingMessage, res: ServerResponse, err: unknown) => void;

const TEXT_HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

export function errorWriter(logger: Logger): ErrorWriter {
  return (req, res, err) => {
    if (res.headersSent) {
      // Mid-stream (a watch): the status line is out, all that is left is to end the response.
      if (!(err instanceof StatusError)) logger.error({ err, path: req.url }, 'error after the response started');
      if (!res.writableEnded) res.end();
      return;
    }
    if (err instanceof StatusError) return writeStatusError(res, err);
    if (err instanceof TextError) {
      res.writeHead(err.code, TEXT_HEADERS);
      res.end(err.body);
      return;
    }
    const state = requestStateIfAny(req);
    logger.error({ err, auditID: state?.auditID, path: state?.info.path ?? req.url }, 'unhandled error');
    writeStatusError(res, errors.internal(err instanceof Error ? err.message : String(err)));
  };
}

/** The error-handling middleware: registered after every filter and route. */
export function recovery(write: ErrorWriter): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => write(req, res, err);
}
