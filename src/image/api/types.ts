// Wire types of image.openshift.io/v1 for the two stored kinds, written from the OpenAPI
// definitions in api-schemas/. Fields are optional (and sometimes null) because that is what a
// client may send; shapes are checked by schemas.ts, semantics by validation/.

import type { KubeObject, ObjectMeta } from '../../apiserver/api/types.js';

export const GROUP = 'image.openshift.io';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Annotations and well-known values of openshift/api image/v1 consts.go. */
export const annotations = {
  /** "true" on a stream: its DockerImage references may use plain HTTP. */
  insecureRepository: 'openshift.io/image.insecureRepository',
  /** Layer order of dockerImageLayers: "ascending" (base first) or "descending". */
  dockerLayersOrder: 'image.openshift.io/dockerLayersOrder',
  /** "true": the registry keeps the manifest blob, so the Image does not store it. */
  manifestBlobStored: 'image.openshift.io/manifestBlobStored',
  /** Set by an old signature import controller on signatures; always removed. */
  managedSignature: 'image.openshift.io/managed-signature',
  /** Secrets carrying it are left out of imagestreams/<n>/secrets. */
  excludeImageSecret: 'openshift.io/image.excludeSecret',
} as const;

export const LAYERS_ORDER_ASCENDING = 'ascending';
export const LAYERS_ORDER_DESCENDING = 'descending';

export type TagReferencePolicyType = 'Source' | 'Local';
export type ImportModeType = 'Legacy' | 'PreserveOriginal';
export const IMPORT_MODES: readonly ImportModeType[] = ['Legacy', 'PreserveOriginal'];

/** core/v1 ObjectReference as used by TagReference.from. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface ImageLookupPolicy {
  local?: boolean;
}

export interface TagImportPolicy {
  insecure?: boolean;
  scheduled?: boolean;
  importMode?: ImportModeType | string;
}

export interface TagReferencePolicy {
  type?: TagReferencePolicyType | string;
}

export interface TagReference {
  name?: string;
  annotations?: Record<string, string> | null;
  from?: ObjectReference | null;
  reference?: boolean;
  /** Pointer in Go: null/absent differs from 0 (0 asks for a re-import). */
  generation?: number | null;
  importPolicy?: TagImportPolicy;
  referencePolicy?: TagReferencePolicy;
}

export interface ImageStreamSpec {
  lookupPolicy?: ImageLookupPolicy;
  dockerImageRepository?: string;
  tags?: TagReference[] | null;
}

export interface TagEvent {
  created?: string | null;
  dockerImageReference?: string;
  image?: string;
  generation?: number;
}

export interface TagEventCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
  generation?: number;
}

export interface NamedTagEventList {
  tag?: string;
  items?: TagEvent[] | null;
  conditions?: TagEventCondition[] | null;
}

export interface ImageStreamStatus {
  dockerImageRepository?: string;
  publicDockerImageRepository?: string;
  tags?: NamedTagEventList[] | null;
}

export interface ImageStream extends KubeObject {
  spec?: ImageStreamSpec;
  status?: ImageStreamStatus;
}

export interface ImageLayer {
  name?: string;
  size?: number;
  mediaType?: string;
}

/** One entry of a manifest list / OCI index. */
export interface ImageManifest {
  digest?: string;
  mediaType?: string;
  manifestSize?: number;
  architecture?: string;
  os?: string;
  variant?: string;
}

export interface SignatureCondition {
  type?: string;
  status?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface SignatureIssuer {
  organization?: string;
  commonName?: string;
}

export interface SignatureSubject extends SignatureIssuer {
  publicKeyID?: string;
}

export interface ImageSignature {
  kind?: string;
  apiVersion?: string;
  metadata?: ObjectMeta;
  type?: string;
  /** base64 on the wire ([]byte in Go). */
  content?: string;
  conditions?: SignatureCondition[] | null;
  imageIdentity?: string;
  signedClaims?: Record<string, string> | null;
  created?: string | null;
  issuedBy?: SignatureIssuer | null;
  issuedTo?: SignatureSubject | null;
}

/** docker10 DockerConfig (PascalCase keys as the Docker API spells them). */
export interface DockerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  Memory?: number;
  MemorySwap?: number;
  CpuShares?: number;
  Cpuset?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  PortSpecs?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Cmd?: string[];
  Dns?: string[];
  Image?: string;
  Volumes?: Record<string, Record<string, never>>;
  VolumesFrom?: string;
  WorkingDir?: string;
  Entrypoint?: string[];
  NetworkDisabled?: boolean;
  SecurityOpts?: string[];
  OnBuild?: string[];
  Labels?: Record<string, string>;
}

/**
 * The docker metadata of an Image, version independent (what openshift-apiserver keeps
 * internally). `created` is RFC3339 or null (Go zero time).
 */
export interface DockerImageMetadata {
  id: string;
  parent?: string;
  comment?: string;
  created: string | null;
  container?: string;
  containerConfig: DockerConfig;
  dockerVersion?: string;
  author?: string;
  config?: DockerConfig;
  architecture?: string;
  size?: number;
}

/** `dockerImageMetadata` as encoded on the wire for version 1.0 (kind DockerImage). */
export interface DockerImage {
  kind?: string;
  apiVersion?: string;
  Id?: string;
  Parent?: string;
  Comment?: string;
  Created?: string | null;
  Container?: string;
  ContainerConfig?: DockerConfig;
  DockerVersion?: string;
  Author?: string;
  Config?: DockerConfig;
  Architecture?: string;
  Size?: number;
}

export interface Image extends KubeObject {
  dockerImageReference?: string;
  /** A DockerImage object (RawExtension); see metadata.ts for the encodings. */
  dockerImageMetadata?: Record<string, unknown> | null;
  dockerImageMetadataVersion?: string;
  /** Raw manifest JSON, as the registry served it (bytes matter: they are hashed). */
  dockerImageManifest?: string;
  dockerImageLayers?: ImageLayer[] | null;
  signatures?: ImageSignature[] | null;
  /** base64 byte strings ([][]byte in Go). */
  dockerImageSignatures?: string[] | null;
  dockerImageManifestMediaType?: string;
  /** Raw image config JSON (schema2 / OCI). */
  dockerImageConfig?: string;
  dockerImageManifests?: ImageManifest[] | null;
}
