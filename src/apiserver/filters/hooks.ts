// Several RequestHooks as one: `received` and `observe` run in order; `admit` runs in order until
// one answers the request, and the release callbacks run in reverse.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestState } from '../endpoints/request-state.js';
import type { RequestHooks } from '../server/server.js';

export function composeHooks(list: readonly RequestHooks[]): RequestHooks {
  return {
    received(req: IncomingMessage, res: ServerResponse): void {
      for (const h of list) h.received?.(req, res);
    },
    async admit(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<(() => void) | undefined> {
      const releases: (() => void)[] = [];
      const releaseAll = (): void => {
        for (const r of releases.reverse()) r();
      };
      try {
        for (const h of list) {
          if (!h.admit) continue;
          const release = await h.admit(req, res, state);
          if (release) releases.push(release);
          if (res.writableEnded || res.headersSent) break;
        }
      } catch (err) {
        releaseAll();
        throw err;
      }
      return releases.length ? releaseAll : undefined;
    },
    observe(state: RequestState, code: number, seconds: number, req: IncomingMessage): void {
      for (const h of list) h.observe?.(state, code, seconds, req);
    },
  };
}
