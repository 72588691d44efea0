// image.openshift.io/v1 in protobuf: the messages of openshift/api's image/v1 generated.proto (and
// the core/v1 ones it uses), and the fields the Go types declare as pointers to a scalar or a Time,
// which neither the .proto nor the OpenAPI schemas say.

import type { GroupProtobuf } from '../../apiserver/api/protobuf/meta.js';
import type { MessageFacts } from '../../apiserver/api/protobuf/descriptors.js';
import messages from '../../../api-schemas/image.openshift.io-v1.protobuf.json' with { type: 'json' };

const I = 'github.com.openshift.api.image.v1.';

export const imageProtobuf: GroupProtobuf = {
  messages: messages as MessageFacts,
  pointerFields: [
    `${I}TagReference.generation`,
    `${I}ImageLayerData.size`,
    `${I}ImageBlobReferences.config`,
    `${I}ImageSignature.created`,
    'k8s.io.api.core.v1.Secret.immutable',
  ],
  notOmitEmpty: [`${I}TagReference.annotations`, `${I}TagReference.generation`, `${I}ImageBlobReferences.layers`, `${I}ImageBlobReferences.config`],
};
