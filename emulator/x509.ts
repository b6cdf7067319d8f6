/**
 * The emulator's X.509 needs, made without any system tool (`npm start` needs nothing installed): its own CA (what
 * Amazon Root CA 1 is to a real device), the MQTT listener's server certificate, the certificates CreateKeysAndCertificate
 * issues, and the fingerprint AWS uses as a certificate's id. Built on @peculiar/x509 over Node's WebCrypto.
 */
import { X509Certificate as NodeX509, createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loaded: typeof X509 | undefined;
/**
 * @peculiar/x509, loaded on first use: the emulator starts without it unless a certificate is made (it costs start-up
 * time, and needs the `reflect-metadata` polyfill its dependency injection reads).
 */
function x509(): typeof X509 {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('reflect-metadata');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('@peculiar/x509') as typeof X509;
    loaded.cryptoProvider.set(
      webcrypto as unknown as Parameters<typeof X509.X509CertificateGenerator.create>[1] & object,
    );
  }
  return loaded;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** RSA 2048 with SHA-256: what CreateKeysAndCertificate issues (its key pair is a 2048-bit RSA key). */
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A certificate and its private key, both PEM. */
export interface Credentials {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** A CA the emulator signs with. */
export interface CertificateAuthority extends Credentials {
  readonly key: CryptoKey;
  readonly name: string;
}

function pemKey(der: ArrayBuffer, label: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

async function rsaKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A self-signed CA, valid for ten years. */
export async function createAuthority(commonName: string): Promise<CertificateAuthority> {
  const lib = x509();
  const keys = await rsaKeys();
  const name = `CN=${commonName}`;
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: RSA,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 10 * YEAR_MS),
    extensions: [
      new lib.BasicConstraintsExtension(true, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const privateKey = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: cert.toString('pem'),
    privateKeyPem: pemKey(privateKey, 'PRIVATE KEY'),
    key: keys.privateKey,
    name,
  };
}

/** A certificate for `publicKey` signed by `ca`, for a TLS server (with its names) or a client. */
async function issue(
  ca: CertificateAuthority,
  publicKey: CryptoKey,
  subject: string,
  use: { server: readonly string[] } | 'client',
): Promise<string> {
  const lib = x509();
  const extensions: X509.Extension[] = [
    new lib.BasicConstraintsExtension(false, undefined, true),
    new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
    new lib.ExtendedKeyUsageExtension(
      [use === 'client' ? lib.ExtendedKeyUsage.clientAuth : lib.ExtendedKeyUsage.serverAuth],
      false,
    ),
  ];
  if (use !== 'client')
    extensions.push(
      new lib.SubjectAlternativeNameExtension(
        use.server.map((name) => ({ type: /^[\d.]+$|:/.test(name) ? ('ip' as const) : ('dns' as const), value: name })),
      ),
    );
  const cert = await lib.X509CertificateGenerator.create({
    subject,
    issuer: ca.name,
    publicKey,
    signingKey: ca.key,
    signingAlgorithm: RSA,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 10 * YEAR_MS),
    extensions,
  });
  return cert.toString('pem');
}

/** The listener's own certificate, for the names a client connects to. */
export async function serverCredentials(ca: CertificateAuthority, names: readonly string[]): Promise<Credentials> {
  const keys = await rsaKeys();
  const certificatePem = await issue(ca, keys.publicKey, `CN=${names[0] ?? 'localhost'}`, { server: names });
  const privateKey = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem, privateKeyPem: pemKey(privateKey, 'PRIVATE KEY') };
}

/** What CreateKeysAndCertificate hands out: a new key pair and a client certificate for it, as PEM. */
export async function clientCredentials(
  ca: CertificateAuthority,
): Promise<Credentials & { readonly publicKeyPem: string }> {
  // A PKCS#1 "RSA PRIVATE KEY", the form AWS IoT hands out; the SDKs and OpenSSL read it.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    pair.publicKey.export({ type: 'spki', format: 'der' }),
    RSA,
    true,
    ['verify'],
  );
  const certificatePem = await issue(ca, publicKey, 'CN=AWS IoT Certificate', 'client');
  return { certificatePem, privateKeyPem, publicKeyPem };
}

/** AWS's certificate id: the SHA-256 of the certificate's DER, 64 hex digits. Throws on what is not a certificate. */
export function certificateId(pem: string): string {
  return createHash('sha256').update(new NodeX509(pem).raw).digest('hex');
}

/** Whether `pem` is signed by `caPem` (RegisterCertificate's check of a given CA). */
export function signedBy(pem: string, caPem: string): boolean {
  const cert = new NodeX509(pem);
  const ca = new NodeX509(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
