// The registry client for image imports: OCI distribution API, credentials from pull secrets,
// manifest decoding, Image construction, and the per-image status of failures.

export { RegistryClient, type RegistryClientOptions, type RepositoryOptions } from './client.js';
export { RegistryRepository, type CallOptions } from './repository.js';
export { importImage, imageFromManifest, imageFromManifestList, type ImportedImage, type ImportImageOptions } from './images.js';
export { Keyring, SECRET_TYPE_DOCKERCFG, SECRET_TYPE_DOCKER_CONFIG_JSON, type Credential, type PullSecret } from './credentials.js';
export { RegistryError, isRegistryError, type RegistryErrorKind, type CredentialUse } from './errors.js';
export {
  importStatusFor,
  importSuccess,
  repositoryImportFailure,
  blockedRegistryStatus,
  unknownImportFailure,
  type ImportStatus,
} from './import-status.js';
export { MANIFEST_ACCEPT, type Manifest, type ManifestKind } from './manifests.js';
export { chooseManifest, ownPlatform, type Platform, type PlatformPreference } from './platform.js';
export type { RequestEvent } from './session.js';
