// Self-signed certificates for local mode and for servers started without --tls-cert-file: a CA
// and a serving certificate signed by it. Keys come from node's native RSA generator (fast);
// node-forge only assembles and signs the X.509 structures.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertKeyPair {
  cert: string;
  key: string;
}

export interface ServingBundle {
  ca: CertKeyPair;
  serving: CertKeyPair;
}

function rsaKeys(): { forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgePrivate = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePublic = forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e);
  return { forgePrivate, forgePublic, pem };
}

function serial(): string {
  // Positive 16-byte serial.
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export function generateCA(commonName: string, days = 3650): CertKeyPair {
  const k = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.forgePublic;
  cert.serialNumber = serial();
  validity(cert, days);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.forgePrivate, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.pem };
}

export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client';
  days?: number;
}

export function issueCertificate(ca: CertKeyPair, opts: IssueOptions): CertKeyPair {
  const k = rsaKeys();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.forgePublic;
  cert.serialNumber = serial();
  validity(cert, opts.days ?? 825);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: opts.commonName }];
  for (const o of opts.organizations ?? []) subject.push({ name: 'organizationName', value: o });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const alt: { type: number; value?: string; ip?: string }[] = [
    ...(opts.dnsNames ?? []).map((d) => ({ type: 2, value: d })),
    ...(opts.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const exts: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: opts.usage === 'server', clientAuth: opts.usage === 'client' },
  ];
  if (alt.length) exts.push({ name: 'subjectAltName', altNames: alt });
  cert.setExtensions(exts);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.pem };
}

export function generateServingBundle(dnsNames: string[], ipAddresses: string[]): ServingBundle {
  const ca = generateCA(`image-apiserver-ca-${Math.floor(Date.now() / 1000)}`);
  const serving = issueCertificate(ca, { commonName: dnsNames[0] ?? 'localhost', dnsNames, ipAddresses, usage: 'server' });
  return { ca, serving };
}
