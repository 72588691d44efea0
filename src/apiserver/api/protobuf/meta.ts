// The meta.k8s.io and runtime messages every group's protobuf uses, and the codec built from them
// with a group's own messages.

import metaMessages from './meta-messages.json' with { type: 'json' };
import { TypeModel } from '../../openapi/type-model.js';
import { ProtobufCodec } from './codec.js';
import type { MessageFacts } from './descriptors.js';

/**
 * What a group ships for protobuf: its messages, and the two facts of its Go types that neither the
 * .proto nor the OpenAPI schemas carry.
 */
export interface GroupProtobuf {
  messages: MessageFacts;
  /** "<message>.<field>" of scalar and Time fields declared as Go pointers. */
  pointerFields: readonly string[];
  /** "<message>.<field>" of optional fields whose JSON tag has no omitempty. */
  notOmitEmpty?: readonly string[];
}

export const META_MESSAGES: MessageFacts = metaMessages as MessageFacts;

const M = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

/** The meta fields declared as Go pointers to a scalar or a Time (types.go of meta/v1). */
export const META_POINTER_FIELDS: readonly string[] = [
  `${M}ObjectMeta.deletionTimestamp`,
  `${M}ObjectMeta.deletionGracePeriodSeconds`,
  `${M}OwnerReference.controller`,
  `${M}OwnerReference.blockOwnerDeletion`,
  `${M}ManagedFieldsEntry.time`,
  `${M}ListMeta.remainingItemCount`,
  `${M}DeleteOptions.gracePeriodSeconds`,
  `${M}DeleteOptions.orphanDependents`,
  `${M}DeleteOptions.propagationPolicy`,
  `${M}DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential`,
  `${M}Preconditions.uid`,
  `${M}Preconditions.resourceVersion`,
  `${M}PatchOptions.force`,
  `${M}ListOptions.sendInitialEvents`,
];

/** ObjectMeta.creationTimestamp is `omitempty,omitzero` since apimachinery 1.34: an unset one is left out. */
export const META_OMIT_ZERO_FIELDS: readonly string[] = [`${M}ObjectMeta.creationTimestamp`];

/** A codec for the meta kinds and, when given, one group's kinds (typed by its type model). */
export function protobufCodec(model?: TypeModel, group?: GroupProtobuf): ProtobufCodec {
  return new ProtobufCodec({
    messages: group ? [META_MESSAGES, group.messages] : [META_MESSAGES],
    model: model ?? new TypeModel({ definitions: {}, definitionOf: () => undefined }),
    pointerFields: new Set([...META_POINTER_FIELDS, ...(group?.pointerFields ?? [])]),
    notOmitEmpty: new Set(group?.notOmitEmpty ?? []),
    omitZero: new Set(META_OMIT_ZERO_FIELDS),
  });
}
