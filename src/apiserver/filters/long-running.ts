// Which requests are long-running: watches. They are exempt from the in-flight limits and the
// request timeout (they end on their own timeoutSeconds) and are counted as open watches.

import type { RequestInfo } from '../endpoints/request-info.js';

export function isLongRunning(info: RequestInfo): boolean {
  return info.isResourceRequest && info.verb === 'watch';
}
