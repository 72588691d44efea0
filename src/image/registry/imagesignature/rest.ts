// imagesignatures (create and delete only): `<image>@<signature>` edits the named Image's
// `signatures` through the Image store, so the Image rules and validation apply to every change.

import type { KubeObject } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import { generateName } from '../../../apiserver/registry/names.js';
import type { CreateResult, DeleteResult, RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { canonicalImageSignature } from '../../api/conversion/image.js';
import { NAME_FORMAT_MESSAGES, NameFormatError, splitImageSignatureName } from '../../api/names.js';
import { API_VERSION, GROUP, type ImageSignature } from '../../api/types.js';
import { validateImageSignature } from '../../api/validation/image.js';
import type { ImageRegistry } from '../image/registry.js';
import { IMAGE_SIGNATURES } from '../resources.js';
import { beforeCreate, fillSystemFields, successStatus } from '../../../apiserver/registry/lifecycle.js';

/** Spelled as openshift-apiserver spells it in these errors. */
const SIGNATURES_GR = { group: GROUP, resource: 'imageSignatures' };

const sameContent = (a: ImageSignature, b: ImageSignature): boolean =>
  (a.type ?? '') === (b.type ?? '') && Buffer.from(a.content ?? '', 'base64').equals(Buffer.from(b.content ?? '', 'base64'));

export class ImageSignatureREST implements RESTStorage {
  readonly info = IMAGE_SIGNATURES;

  constructor(
    private readonly images: ImageRegistry,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(ctx: RequestContext, input: KubeObject): Promise<CreateResult> {
    const obj = structuredClone(input);
    beforeCreate(ctx, obj, false);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    fillSystemFields(meta, this.clock());
    const { kind: _k, apiVersion: _a, ...rest } = obj;
    const sig = rest as ImageSignature & KubeObject;
    // What the server fills in from the signature's content is not taken from clients.
    for (const k of ['conditions', 'imageIdentity', 'signedClaims', 'created', 'issuedBy', 'issuedTo'] as const) delete sig[k];
    const errs = validateImageSignature(sig);
    if (errs.length) throw errors.invalid(IMAGE_SIGNATURES.kind, IMAGE_SIGNATURES.group, meta.name ?? '', errs);
    const name = meta.name ?? '';
    const { imageName } = splitImageSignatureName(name);
    const stored = canonicalImageSignature(sig);

    const image = await this.images.update(ctx, imageName, (current) => {
      const existing = current.signatures ?? [];
      if (existing.some((s) => s.metadata?.name === name || sameContent(s, stored))) throw errors.alreadyExists(SIGNATURES_GR, name);
      current.signatures = [...existing, stored];
      return current;
    });
    const found = (image.signatures ?? []).find((s) => s.metadata?.name === name);
    if (!found) throw errors.internal('failed to store given signature');
    const { kind: _fk, apiVersion: _fa, ...body } = found;
    // Found by metadata.name, so it has the metadata a KubeObject needs.
    return { object: { kind: IMAGE_SIGNATURES.kind, apiVersion: API_VERSION, ...body } as KubeObject, code: 201 };
  }

  async delete(ctx: RequestContext, name: string): Promise<DeleteResult> {
    let imageName: string;
    try {
      ({ imageName } = splitImageSignatureName(name));
    } catch (err) {
      if (err instanceof NameFormatError) throw errors.badRequest(NAME_FORMAT_MESSAGES.imageSignature);
      throw err;
    }
    await this.images.update(ctx, imageName, (current) => {
      const existing = current.signatures ?? [];
      const index = existing.findIndex((s) => s.metadata?.name === name);
      if (index < 0) throw errors.notFound(SIGNATURES_GR, name);
      current.signatures = existing.filter((_, i) => i !== index);
      return current;
    });
    return { object: successStatus(200), code: 200 };
  }
}
