// Shared test data: the reference fixtures (real manifests and configs) and recorded responses.

import { readFileSync } from 'node:fs';
import { SHARED_DIR } from '../../support/reference.js';

const REFERENCE = `${SHARED_DIR}/reference/`;

export const fixture = (name: string): string => readFileSync(`${REFERENCE}fixtures/${name}`, 'utf8');
export const recorded = <T = unknown>(name: string): T => JSON.parse(readFileSync(`${REFERENCE}recorded/${name}`, 'utf8')) as T;

export const AMD64_MANIFEST = fixture('manifest-linux-amd64.json');
export const AMD64_CONFIG = fixture('config-linux-amd64.json');
export const ARM64_MANIFEST = fixture('manifest-linux-arm64.json');
export const ARM64_CONFIG = fixture('config-linux-arm64.json');
export const MANIFEST_LIST = fixture('manifest-list.json');

/** sha256 of the fixture bytes: the digests a registry reports for them. */
export const AMD64_DIGEST = 'sha256:ca013ac5c09f9a9f6db8370c1b759a29fe997d64d6591e9a75b71748858f7da0';
export const ARM64_DIGEST = 'sha256:1a06d68cb9117b52965035a5b0fa4c1470ef892e6062ffedb1af1922952e0950';
export const LIST_DIGEST = 'sha256:5020d54ec2de60c4e187128b5a03adda261a7fe78c9c500ffd24ff4af476fb41';

export const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** A schema1 manifest (no signatures), newest layer first as schema1 lists them. */
export function schema1Payload(): string {
  const v1 = (o: Record<string, unknown>): string => JSON.stringify(o);
  return `{
   "schemaVersion": 1,
   "name": "team/app",
   "tag": "latest",
   "architecture": "amd64",
   "fsLayers": [
      { "blobSum": "sha256:${'c'.repeat(64)}" },
      { "blobSum": "sha256:${'b'.repeat(64)}" },
      { "blobSum": "sha256:${'b'.repeat(64)}" },
      { "blobSum": "sha256:${'a'.repeat(64)}" }
   ],
   "history": [
      { "v1Compatibility": ${JSON.stringify(
        v1({
          id: 'top',
          parent: 'mid',
          created: '2016-02-15T07:30:37.655693399Z',
          container: 'c0ffee',
          container_config: { Hostname: 'h', Cmd: ['/bin/sh', '-c', '#(nop) COPY x'], Labels: {} },
          config: { Env: ['A=1'], Cmd: null, Volumes: { '/data': {} }, ExposedPorts: { '80/tcp': {} } },
          docker_version: '1.10.0',
          author: 'someone@example.com',
          architecture: 'amd64',
          os: 'linux',
          size: 30,
        }),
      )} },
      { "v1Compatibility": ${JSON.stringify(v1({ id: 'mid2', size: 20 }))} },
      { "v1Compatibility": ${JSON.stringify(v1({ id: 'mid', size: 20 }))} },
      { "v1Compatibility": ${JSON.stringify(v1({ id: 'base', size: 10, throwaway: true }))} }
   ]
}`;
}

/** Signs a pretty-printed manifest the libtrust way: the payload minus its "\n}" tail, then signatures. */
export function signSchema1(payload: string, opts: { formatLengthDelta?: number } = {}): string {
  const formatLength = Buffer.byteLength(payload, 'utf8') - 2;
  const protectedHeader = Buffer.from(
    JSON.stringify({ formatLength: formatLength + (opts.formatLengthDelta ?? 0), formatTail: Buffer.from('\n}').toString('base64url'), time: '2016-01-01T00:00:00Z' }),
  ).toString('base64url');
  const signatures = `,\n   "signatures": [\n      {\n         "header": { "alg": "ES256" },\n         "signature": "c2ln",\n         "protected": "${protectedHeader}"\n      }\n   ]\n}`;
  return Buffer.from(payload, 'utf8').subarray(0, formatLength).toString('utf8') + signatures;
}
