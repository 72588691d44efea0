// The image-lookup admission webhook as a route of the secure port: kube-apiserver posts Pods and
// pod-template workloads to /admission/image-lookup; names of local image streams come back as a
// JSON Patch. The path skips the authentication chain (kube-apiserver presents no user), or with
// --admission-client-ca-file requires kube-apiserver's client certificate.

import type { Logger } from 'pino';
import { admissionWebhook } from '../apiserver/admission/webhook.js';
import { CAFile } from '../apiserver/auth/authentication-config.js';
import type { Authenticator, Authorizer } from '../apiserver/auth/types.js';
import { UnionAuthorizer } from '../apiserver/auth/union.js';
import { WebhookPathsAuthenticator, webhookPathsAuthorizer } from '../apiserver/auth/webhook-paths.js';
import { StatusError } from '../apiserver/errors/index.js';
import type { RequestContext } from '../apiserver/registry/strategy.js';
import type { RouteHandler } from '../apiserver/server/server.js';
import type { ImageStream } from '../image/api/types.js';
import { imageLookupPatch } from '../image/lookup/image-lookup.js';
import type { ImageStreamRegistry } from '../image/registry/imagestream/registry.js';

export const IMAGE_LOOKUP_PATH = '/admission/image-lookup';

const READER: RequestContext = { user: { username: 'system:image-apiserver:image-lookup', groups: ['system:masters'] }, namespace: '', dryRun: false };

export function imageLookupRoute(streams: ImageStreamRegistry, logger: Logger): RouteHandler {
  const getStream = async (namespace: string, name: string): Promise<ImageStream | undefined> => {
    try {
      return await streams.get(READER, namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.status.code === 404) return undefined;
      throw err;
    }
  };
  return admissionWebhook({
    mutate: (r) =>
      imageLookupPatch(
        { group: r.resource.group, resource: r.resource.resource, subResource: r.subResource, operation: r.operation, namespace: r.namespace, object: r.object },
        getStream,
      ),
    unchangedWarning: (why) =>
      why === 'timeout'
        ? 'image stream lookup did not answer in time: images were left as written'
        : 'image stream lookup failed: images were left as written',
    onError: (err, r) => logger.warn({ err: err instanceof Error ? err.message : String(err), namespace: r.namespace, uid: r.uid }, 'image lookup failed'),
  });
}

export interface WebhookAccess {
  authenticator: Authenticator;
  authorizer: Authorizer;
  close(): void;
}

/** The server's authenticator and authorizer with the webhook path let through (see above). */
export function withWebhookAccess(authenticator: Authenticator, authorizer: Authorizer, clientCAFile: string, logger: Logger): WebhookAccess {
  const paths = new Set([IMAGE_LOOKUP_PATH]);
  const ca = clientCAFile ? new CAFile(clientCAFile, logger) : undefined;
  return {
    authenticator: new WebhookPathsAuthenticator(paths, authenticator, ca ? () => ca.current : undefined),
    authorizer: new UnionAuthorizer([webhookPathsAuthorizer(paths), authorizer]),
    close: () => ca?.stop(),
  };
}
