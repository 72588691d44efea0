// Name formats of the virtual image resources (library-go imageutil): "<stream>:<tag>",
// "<stream>@<id>", "<image>@<signature>", spec tag `from` names, and short image-id matching.

import { digestHex, isDigest } from './digest.js';

export const DEFAULT_IMAGE_TAG = 'latest';

/** 400 messages the resources answer for malformed names. */
export const NAME_FORMAT_MESSAGES = {
  imageStreamTag: 'ImageStreamTags must be retrieved with <name>:<tag>',
  imageTag: 'ImageTags must be retrieved with <name>:<tag>',
  imageStreamImage: 'ImageStreamImages must be retrieved with <name>@<id>',
  imageSignature: 'ImageSignatures must be accessed with <imageName>@<signatureName>',
} as const;

export class NameFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NameFormatError';
  }
}

const q = (s: string): string => JSON.stringify(s);

/** Splits like Go's strings.SplitN: at most `n` parts, the last one keeps the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (parts.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i === -1) break;
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  parts.push(rest);
  return parts;
}

/** Strict "<stream>:<tag>" parser used by GET/PUT/PATCH/DELETE of istags and itags. */
export function parseImageStreamTagName(istag: string): { name: string; tag: string } {
  if (istag.includes('@')) throw new NameFormatError(`${q(istag)} is an image stream image, not an image stream tag`);
  const parts = splitN(istag, ':', 3);
  if (parts.length !== 2) throw new NameFormatError(`expected exactly one : delimiter in the istag ${q(istag)}`);
  const [name = '', tag = ''] = parts;
  if (!name || !tag) throw new NameFormatError(`image stream tag name ${q(istag)} must have a name and a tag`);
  return { name, tag };
}

/**
 * Lenient "<stream>:<tag>" splitter used on create: splits on the first ":" only (so "a:b:c" is
 * stream "a", tag "b:c"); a missing or empty tag means "latest"; `ok` is false without a ":".
 */
export function splitImageStreamTag(nameAndTag: string): { name: string; tag: string; ok: boolean } {
  const parts = splitN(nameAndTag, ':', 2);
  const name = parts[0] ?? '';
  const tag = parts[1] || DEFAULT_IMAGE_TAG;
  return { name, tag, ok: parts.length === 2 };
}

/** The plain error openshift-apiserver returns when a created istag/itag name has no ":". */
export function imageStreamTagCreateNameError(name: string): string {
  return `${q(name)} must be of the form <stream_name>:<tag>`;
}

export function joinImageStreamTag(name: string, tag: string): string {
  return `${name}:${tag || DEFAULT_IMAGE_TAG}`;
}

/** Strict "<stream>@<id>" parser (ImageStreamImage names). */
export function parseImageStreamImageName(input: string): { name: string; id: string } {
  const parts = splitN(input, '@', 3);
  if (parts.length !== 2) throw new NameFormatError(`expected exactly one @ in the isimage name ${q(input)}`);
  const [name = '', id = ''] = parts;
  if (!name || !id) throw new NameFormatError(`image stream image name ${q(input)} must have a name and ID`);
  return { name, id };
}

export function splitImageStreamImage(nameAndId: string): { name: string; id: string; ok: boolean } {
  const parts = splitN(nameAndId, '@', 2);
  return { name: parts[0] ?? '', id: parts[1] ?? '', ok: parts.length === 2 };
}

export function joinImageStreamImage(name: string, id: string): string {
  return `${name}@${id}`;
}

/** "<imageName>@<signatureName>": exactly one "@", both halves non-empty. */
export function splitImageSignatureName(name: string): { imageName: string; signatureName: string } {
  const parts = name.split('@');
  if (parts.length !== 2) throw new NameFormatError(`expected exactly one @ in the image signature name ${q(name)}`);
  const [imageName = '', signatureName = ''] = parts;
  if (!imageName || !signatureName) {
    throw new NameFormatError(`image signature name ${q(name)} must have an image name and signature name`);
  }
  return { imageName, signatureName };
}

export function joinImageSignatureName(imageName: string, signatureName: string): string {
  return `${imageName}@${signatureName}`;
}

/** The field error detail for an unusable spec tag `from.name`. */
export const FROM_NAME_FORMAT_DETAIL = 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>';

/**
 * Splits a spec tag's from.name for kinds ImageStreamTag ("<tag>" or "<stream>:<tag>") and
 * ImageStreamImage ("<id>" or "<stream>@<id>"); one part refers to `streamName` itself.
 */
export function parseFromReference(streamName: string, from: { kind?: string; name?: string }): { stream: string; tagOrId: string } {
  const name = from.name ?? '';
  let sep: string;
  let refType: string;
  switch (from.kind) {
    case 'ImageStreamTag':
      sep = ':';
      refType = 'tag';
      break;
    case 'ImageStreamImage':
      sep = '@';
      refType = 'id';
      break;
    default:
      throw new NameFormatError(`invalid from.kind ${q(from.kind ?? '')} - only ImageStreamTag and ImageStreamImage are allowed`);
  }
  const parts = name.split(sep);
  if (parts.length === 1) return { stream: streamName, tagOrId: name };
  if (parts.length === 2) return { stream: parts[0] ?? '', tagOrId: parts[1] ?? '' };
  throw new NameFormatError(`invalid from.name ${q(name)} - it must be of the form <${refType}> or <stream>${sep}<${refType}>`);
}

/**
 * Whether the user-supplied (possibly short) `imageId` designates the image named `image`: for a
 * digest name the hex part or the whole name may start with it; otherwise the name must.
 */
export function digestOrImageMatch(image: string, imageId: string): boolean {
  if (isDigest(image)) return digestHex(image).startsWith(imageId) || image.startsWith(imageId);
  return image.startsWith(imageId);
}
