// A CA and a serving certificate signed by it, for the tls.mode=provided value sets. Keys come from
// node:crypto (fast), certificates are built with node-forge.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import type { Values } from './helm.js';

export interface TestPKI {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    pem: privateKey,
  };
}

function validity(cert: forge.pki.Certificate, serial: string): void {
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
}

export function makePKI(dnsNames: string[]): TestPKI {
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  validity(ca, '01');
  ca.publicKey = caKeys.publicKey;
  ca.setSubject([{ name: 'commonName', value: 'test-ca' }]);
  ca.setIssuer([{ name: 'commonName', value: 'test-ca' }]);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const leafKeys = keyPair();
  const leaf = forge.pki.createCertificate();
  validity(leaf, '02');
  leaf.publicKey = leafKeys.publicKey;
  leaf.setSubject([{ name: 'commonName', value: dnsNames[0] }]);
  leaf.setIssuer(ca.subject.attributes);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(leaf), keyPem: leafKeys.pem };
}

let cached: TestPKI | undefined;

/** tls.mode=provided with the certificate inline; `pki` is the material it carries. */
export function providedTLS(dnsNames: string[]): { values: Values; pki: TestPKI } {
  cached ??= makePKI(dnsNames);
  return {
    pki: cached,
    values: { tls: { mode: 'provided', provided: { caBundle: cached.caPem, cert: cached.certPem, key: cached.keyPem } } },
  };
}
