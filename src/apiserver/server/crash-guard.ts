// The last line of defence: an exception that escapes a request's code (a timer, a promise, a
// response or socket event listener) is logged and, while its response is still open, answered
// with kube-apiserver's panic-recovery 500. It never ends the process, so no request can take
// down every replica in turn.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestListener, ServerResponse } from 'node:http';

export interface CrashLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/** What kube-apiserver's WithPanicRecovery answers. */
const PANIC_TEXT = 'This request caused apiserver to panic. Look in the logs for details.';

export class CrashGuard {
  // The response whose code is running: timers and promises started by a request inherit it.
  private readonly current = new AsyncLocalStorage<ServerResponse>();

  constructor(private readonly logger: CrashLogger) {}

  /** The listener, run so that failures anywhere in the work it starts find its response. */
  wrap(listener: RequestListener): RequestListener {
    return (req, res) => {
      this.current.run(res, () => {
        try {
          listener(req, res);
        } catch (err) {
          this.recover(err, res);
        }
      });
    };
  }

  /** Handles uncaught exceptions and unhandled rejections of `proc`; returns the undo. */
  install(proc: NodeJS.Process): () => void {
    const onError = (err: unknown): void => this.recover(err, this.current.getStore());
    proc.on('uncaughtException', onError);
    proc.on('unhandledRejection', onError);
    return () => {
      proc.off('uncaughtException', onError);
      proc.off('unhandledRejection', onError);
    };
  }

  private recover(err: unknown, res: ServerResponse | undefined): void {
    const req = res?.req;
    this.logger.error({ err, method: req?.method, path: req?.url }, 'unhandled exception; the process continues');
    if (!res || res.writableEnded) return;
    try {
      if (res.headersSent) {
        // Part of an answer is out: cutting the connection is the only way to say it is incomplete.
        res.destroy();
        return;
      }
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(`${PANIC_TEXT}\n`);
    } catch (writeErr) {
      this.logger.error({ err: writeErr }, 'could not answer after an unhandled exception');
      res.destroy();
    }
  }
}
