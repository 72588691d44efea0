// Client certificate verification. The TLS server requests certificates but accepts any (two
// different CA pools decide who the caller is: the front proxy's and ordinary clients'), so
// chains are checked here: signatures up to a CA of the pool, validity dates, ClientAuth usage.

import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const MAX_CHAIN = 8;

export class CABundle {
  private constructor(
    readonly certs: readonly X509Certificate[],
    readonly pem: string,
  ) {}

  /** Every certificate of a PEM bundle; throws when there is none or one is malformed. */
  static parse(pem: string, source = 'CA bundle'): CABundle {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error(`${source}: no PEM certificates found`);
    const certs = blocks.map((b, i) => {
      try {
        return new X509Certificate(b);
      } catch (err) {
        throw new Error(`${source}: certificate ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return new CABundle(certs, pem);
  }
}

/** The subject fields of a client certificate as the TLS layer parsed them (repeated fields as arrays). */
export interface ClientCertificate {
  leaf: X509Certificate;
  commonName: string;
  organizations: string[];
  /** Certificates the client sent after its own (possible intermediates). */
  intermediates: X509Certificate[];
  /** "X509SHA256=<hex>" of the DER, as kube-apiserver reports the credential. */
  credentialID: string;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The certificate the TLS client presented, or undefined when it sent none. */
export function peerCertificate(req: IncomingMessage): ClientCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(true) as DetailedPeerCertificate | null;
  if (!peer || !peer.raw || peer.raw.length === 0) return undefined;
  const leaf = new X509Certificate(peer.raw);
  const intermediates: X509Certificate[] = [];
  const seen = new Set<string>([leaf.fingerprint256]);
  let cur: DetailedPeerCertificate | undefined = peer.issuerCertificate;
  while (cur && cur.raw && intermediates.length < MAX_CHAIN) {
    const c = new X509Certificate(cur.raw);
    if (seen.has(c.fingerprint256)) break;
    seen.add(c.fingerprint256);
    intermediates.push(c);
    cur = cur.issuerCertificate;
  }
  const subject = peer.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  return {
    leaf,
    commonName: asList(subject?.CN)[0] ?? '',
    organizations: asList(subject?.O),
    intermediates,
    credentialID: `X509SHA256=${createHash('sha256').update(peer.raw).digest('hex')}`,
  };
}

function extendedKeyUsages(c: X509Certificate): string[] | undefined {
  // Node 20 calls it keyUsage; later versions add extKeyUsage.
  const withExt = c as X509Certificate & { extKeyUsage?: string[] };
  return withExt.extKeyUsage ?? c.keyUsage;
}

function allowsClientAuth(c: X509Certificate): boolean {
  const eku = extendedKeyUsages(c);
  // No extension means no restriction.
  return eku === undefined || eku.length === 0 || eku.includes(CLIENT_AUTH) || eku.includes(ANY_EKU);
}

function validAt(c: X509Certificate, now: Date): string | undefined {
  const from = new Date(c.validFrom);
  const to = new Date(c.validTo);
  if (now < from) return `x509: certificate is not yet valid (valid from ${from.toISOString()})`;
  if (now > to) return `x509: certificate has expired (valid until ${to.toISOString()})`;
  return undefined;
}

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies the client's chain up to a CA of the bundle. Returns undefined when valid, else the
 * reason (worded like Go's x509 errors, which is what kube-apiserver logs).
 */
export function verifyClientCertificate(cert: ClientCertificate, bundle: CABundle, now: Date = new Date()): string | undefined {
  const expired = validAt(cert.leaf, now);
  if (expired) return expired;
  if (!allowsClientAuth(cert.leaf)) return 'x509: certificate specifies an incompatible key usage';
  let current = cert.leaf;
  for (let depth = 0; depth <= MAX_CHAIN; depth++) {
    for (const ca of bundle.certs) {
      if (signedBy(current, ca) && !validAt(ca, now) && (ca.ca || ca.fingerprint256 === current.fingerprint256)) return undefined;
    }
    const next = cert.intermediates.find((i) => i.ca && signedBy(current, i) && !validAt(i, now) && allowsClientAuth(i));
    if (!next) break;
    current = next;
  }
  return 'x509: certificate signed by unknown authority';
}
