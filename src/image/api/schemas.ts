// The group's OpenAPI definitions (api-schemas/), the single source of shapes: the generic layer
// builds its type model from them once, and from that the ajv validators of request bodies (with
// Go's 400 texts), strategic merge patch, server-side apply and the served OpenAPI documents.
// Semantics live in validation/.

import type { Definitions } from '../../apiserver/openapi/schema.js';
import document from '../../../api-schemas/image.openshift.io-v1.json' with { type: 'json' };

export interface OpenAPIDocument {
  swagger: string;
  info: { title: string; version: string };
  definitions: Definitions;
}

/** The verbatim OpenAPI definitions of image.openshift.io/v1 and the meta/core types they use. */
export const imageApiDocument: OpenAPIDocument = document as OpenAPIDocument;

export const IMAGE_V1_DEFINITION_PREFIX = 'com.github.openshift.api.image.v1.';

/** "ImageStream" -> "com.github.openshift.api.image.v1.ImageStream". */
export function imageDefinitionName(kind: string): string {
  return IMAGE_V1_DEFINITION_PREFIX + kind;
}
