// Builds container images as OCI image layouts on disk, in-process: a gzipped tar layer (with a
// minimal ustar writer), an image config, a manifest per platform, an index for several
// platforms, index.json and oci-layout. skopeo pushes them (registry.ts).

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface TestPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BuildOptions {
  /** Layout directory (created); a fresh temp dir by default. */
  dir?: string;
  /** The ref name in index.json (skopeo's oci:DIR:TAG). Default "latest". */
  tag?: string;
  /** One platform gives a single manifest; several give an index. Default linux/amd64. */
  platforms?: TestPlatform[];
  /** Layer files; each platform gets them plus a file naming the platform (distinct digests). */
  files?: Record<string, string | Buffer>;
  labels?: Record<string, string>;
  /** Image config `created` (RFC3339). */
  created?: string;
}

export interface BuiltManifest {
  platform: TestPlatform;
  digest: string;
  configDigest: string;
  layerDigest: string;
  manifest: string;
  config: string;
}

export interface BuiltImage {
  dir: string;
  tag: string;
  /** The digest index.json points at: the manifest, or the nested index for several platforms. */
  digest: string;
  mediaType: string;
  manifests: BuiltManifest[];
}

/** A ustar archive of regular files (mode 0644, mtime 0): enough for a test layer. */
export function tar(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
    const header = Buffer.alloc(512);
    const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
    const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, '0')}\0`;
    header.write(name, 0, 100, 'utf8');
    field(100, 8, octal(0o644, 8));
    field(108, 8, octal(0, 8));
    field(116, 8, octal(0, 8));
    field(124, 12, octal(data.length, 12));
    field(136, 12, octal(0, 12));
    field(148, 8, '        '); // checksum is computed with this field as spaces
    field(156, 1, '0');
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    let sum = 0;
    for (const b of header) sum += b;
    field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function writeBlob(dir: string, content: Buffer | string): { digest: string; size: number } {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const digest = sha256(buf);
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), buf);
  return { digest, size: buf.length };
}

function platformName(p: TestPlatform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function buildOCIImage(opts: BuildOptions = {}): BuiltImage {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'oci-layout-'));
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const tag = opts.tag ?? 'latest';
  const platforms = opts.platforms?.length ? opts.platforms : [{ os: 'linux', architecture: 'amd64' }];
  const created = opts.created ?? '2024-01-02T03:04:05Z';

  const manifests: BuiltManifest[] = platforms.map((platform) => {
    const layerTar = tar({ ...(opts.files ?? { 'hello.txt': 'hello\n' }), 'platform.txt': `${platformName(platform)}\n` });
    const layer = writeBlob(dir, gzipSync(layerTar));
    const config = JSON.stringify({
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'], ...(opts.labels ? { Labels: opts.labels } : {}) },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created, created_by: 'test/support/oci-image.ts' }],
    });
    const configBlob = writeBlob(dir, config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }],
    });
    const m = writeBlob(dir, manifest);
    return { platform, digest: m.digest, configDigest: configBlob.digest, layerDigest: layer.digest, manifest, config };
  });

  let top: { digest: string; size: number; mediaType: string };
  if (manifests.length === 1) {
    const only = manifests[0] as BuiltManifest;
    top = { digest: only.digest, size: Buffer.byteLength(only.manifest), mediaType: OCI_MANIFEST };
  } else {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: manifests.map((m) => ({
        mediaType: OCI_MANIFEST,
        digest: m.digest,
        size: Buffer.byteLength(m.manifest),
        platform: { architecture: m.platform.architecture, os: m.platform.os, ...(m.platform.variant ? { variant: m.platform.variant } : {}) },
      })),
    });
    top = { ...writeBlob(dir, index), mediaType: OCI_INDEX };
  }
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: top.mediaType, digest: top.digest, size: top.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, tag, digest: top.digest, mediaType: top.mediaType, manifests };
}
