// imagestreamimports (create only): defaults and validates the request, applies the registry
// allow-list to users who could not have created the images another way, then runs the import.
// The answer is 201 with the ImageStreamImport and its per-image statuses, even when images fail.

import type { KubeObject } from '../../../apiserver/api/types.js';
import { errors } from '../../../apiserver/errors/index.js';
import type { CreateResult, RESTStorage } from '../../../apiserver/registry/rest.js';
import type { RequestContext } from '../../../apiserver/registry/strategy.js';
import { defaultImageStreamImport } from '../../api/defaults.js';
import { API_VERSION, GROUP, type ImportModeType } from '../../api/types.js';
import type { RegistryAllowList } from '../../api/validation/allowlist.js';
import { validateImageStreamImport, validateImportRegistries } from '../../api/validation/imagestreamimport.js';
import type { ImageStreamImport } from '../../api/virtual-types.js';
import type { AccessReviewRequest, ImageAccessChecker } from '../../collaborators.js';
import { IMAGE_STREAM_IMPORTS } from '../resources.js';
import { beforeCreate, fillSystemFields } from '../../../apiserver/registry/lifecycle.js';
import type { ImageStreamImporter } from './importer.js';

export interface ImageStreamImportRESTOptions {
  importer: ImageStreamImporter;
  allowList: () => RegistryAllowList;
  /** Checks for the requesting user; absent: everyone may create images (local mode). */
  access?: ImageAccessChecker;
  /** importPolicy.importMode given to entries without one (as decoding defaults them). */
  importMode?: ImportModeType;
  clock?: () => Date;
}

/** Users who may create these can already put any image into the cluster. */
const BYPASS_CHECKS: readonly AccessReviewRequest[] = [
  { verb: 'create', group: GROUP, resource: 'images', subresource: '', namespace: '', name: '' },
  // Cluster-wide on purpose: namespace editors may push, but the allow-list is about what enters
  // the cluster from outside. (openshift-apiserver misspells it "imagestreammapping".)
  { verb: 'create', group: GROUP, resource: 'imagestreammappings', subresource: '', namespace: '', name: '' },
];

export class ImageStreamImportREST implements RESTStorage {
  readonly info = IMAGE_STREAM_IMPORTS;
  private readonly clock: () => Date;

  constructor(private readonly o: ImageStreamImportRESTOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  async create(ctx: RequestContext, input: KubeObject): Promise<CreateResult> {
    const isi = structuredClone(input) as ImageStreamImport;
    beforeCreate(ctx, isi, true);
    if (typeof isi.spec !== 'object' || isi.spec === null) isi.spec = { import: false };
    // The stream the client expects, before the system fields replace uid.
    const pre = { resourceVersion: isi.metadata.resourceVersion, uid: isi.metadata.uid };
    fillSystemFields(isi.metadata, this.clock());
    delete isi.status;
    defaultImageStreamImport(isi, { importMode: this.o.importMode });
    const name = isi.metadata.name ?? '';
    const errs = validateImageStreamImport(isi);
    if (errs.length) throw errors.invalid(IMAGE_STREAM_IMPORTS.kind, GROUP, name, errs);

    const denied = validateImportRegistries(isi, this.o.allowList());
    if (denied.length && !(await this.mayCreateImages(ctx))) throw errors.invalid(IMAGE_STREAM_IMPORTS.kind, GROUP, name, denied);

    const result = await this.o.importer.import(ctx, isi, pre);
    const { kind: _k, apiVersion: _a, ...body } = result;
    return { object: { kind: IMAGE_STREAM_IMPORTS.kind, apiVersion: API_VERSION, ...body }, code: 201 };
  }

  private async mayCreateImages(ctx: RequestContext): Promise<boolean> {
    if (!this.o.access) return true;
    const access = this.o.access;
    try {
      const decisions = await Promise.all(BYPASS_CHECKS.map((r) => access.canI(ctx.user, r)));
      return decisions.some((d) => d.allowed);
    } catch (err) {
      throw errors.internal(`unable to check whether ${ctx.user.username} may create images: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
