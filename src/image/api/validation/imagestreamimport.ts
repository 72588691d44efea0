// Field validation of ImageStreamImport (openshift-apiserver ValidateImageStreamImport), and the
// allow-list check imports get when the user could not have created the images another way.

import { FieldPath, fieldErrors, type FieldErrorList } from '../../../apiserver/errors/field.js';
import { validateObjectMeta } from '../../../apiserver/registry/validation/objectmeta.js';
import { DockerImageReference } from '../reference.js';
import type { ImageStreamImport } from '../virtual-types.js';
import type { RegistryAllowList } from './allowlist.js';
import { validateImageStreamName, validateImportPolicy } from './imagestream.js';

/** What clients that look streams up by pattern send as a name; it is never parsed. */
const LEGACY_WILDCARD = '*';

export function validateImageStreamImport(isi: ImageStreamImport): FieldErrorList {
  const errs: FieldErrorList = [];
  const imagesPath = FieldPath.root('spec').child('images');
  const repoPath = FieldPath.root('spec').child('repository');
  const images = isi.spec?.images ?? [];
  images.forEach((spec, i) => {
    const path = imagesPath.index(i);
    const from = spec?.from ?? {};
    if (from.kind !== 'DockerImage') {
      errs.push(fieldErrors.invalid(path.child('from').child('kind'), from.kind ?? '', 'only DockerImage is supported'));
      return;
    }
    if (spec.to && !spec.to.name) errs.push(fieldErrors.invalid(path.child('to').child('name'), spec.to.name ?? '', 'the name of the target tag must be specified'));
    const name = from.name ?? '';
    if (!name) errs.push(fieldErrors.required(path.child('from').child('name')));
    else if (name !== LEGACY_WILDCARD) {
      const parsed = DockerImageReference.tryParse(name);
      if (parsed.error !== undefined) errs.push(fieldErrors.invalid(path.child('from').child('name'), name, parsed.error));
    }
    errs.push(...validateImportPolicy(spec.importPolicy, path.child('importPolicy')));
  });

  const repo = isi.spec?.repository;
  if (repo) {
    const from = repo.from ?? {};
    if (from.kind !== 'DockerImage') {
      errs.push(fieldErrors.invalid(repoPath.child('from').child('kind'), from.kind ?? '', 'only DockerImage is supported'));
    } else if (!from.name) {
      errs.push(fieldErrors.required(repoPath.child('from').child('name'), 'container image references require a name'));
    } else {
      const parsed = DockerImageReference.tryParse(from.name);
      if (parsed.error !== undefined) errs.push(fieldErrors.invalid(repoPath.child('from').child('name'), from.name, parsed.error));
      else if (parsed.ref.tag || parsed.ref.id) {
        errs.push(fieldErrors.invalid(repoPath.child('from').child('name'), from.name, 'you must specify an image repository, not a tag or ID'));
      }
      errs.push(...validateImportPolicy(repo.importPolicy, repoPath.child('importPolicy')));
    }
  }
  // Go prints the nil list as the string null.
  if (images.length === 0 && !repo) errs.push(fieldErrors.invalid(imagesPath, 'null', 'you must specify at least one image or a repository import'));
  errs.push(...validateObjectMeta(isi.metadata, { namespaced: true, nameFn: validateImageStreamName }));
  return errs;
}

/**
 * Every registry the import reads from must pass the allow-list, judged by host and port (443, or
 * 80 for insecure imports, when the reference names no port).
 */
export function validateImportRegistries(isi: ImageStreamImport, allowList: RegistryAllowList): FieldErrorList {
  const errs: FieldErrorList = [];
  const check = (path: FieldPath, name: string, insecure: boolean): void => {
    const parsed = DockerImageReference.tryParse(name);
    if (!parsed.ref) return;
    const [host, port] = parsed.ref.registryHostPort(insecure);
    const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const denied = allowList.admitReference(new DockerImageReference({ registry: hostPort, name: 'image' }), 'secure');
    if (denied) errs.push(fieldErrors.forbidden(path.child('from').child('name'), `importing images from registry ${JSON.stringify(hostPort)} is forbidden: ${denied}`));
  };
  const repo = isi.spec.repository;
  if (repo) check(FieldPath.root('spec').child('repository'), repo.from?.name ?? '', repo.importPolicy?.insecure === true);
  (isi.spec.images ?? []).forEach((spec, i) => check(FieldPath.root('spec').child('images').index(i), spec.from?.name ?? '', spec.importPolicy?.insecure === true));
  return errs;
}
