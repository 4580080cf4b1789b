/**
 * Test certificates, made at test time with the `openssl` CLI into a temporary directory (no key
 * is committed): a CA, a server certificate for 127.0.0.1/localhost and a client certificate, all
 * signed by the CA, as PEM text and as files (for kcat and confluent-kafka-python, which take paths).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One certificate and its key. */
export interface CertFiles {
  /** Path of the certificate, PEM. */
  certFile: string;
  /** Path of the private key, PEM. */
  keyFile: string;
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
}

/** A CA and the certificates it signed. */
export interface TestCertificates {
  /** The temporary directory; {@link TestCertificates.remove} deletes it. */
  dir: string;
  /** The CA. */
  ca: CertFiles;
  /** The broker's: subject CN=localhost, SAN IP:127.0.0.1 and DNS:localhost. */
  server: CertFiles;
  /** A client's: subject /C=US/O=Acme/CN=alice-client, so its Kafka principal is `User:CN=alice-client,O=Acme,C=US`. */
  client: CertFiles;
  /** A client certificate signed by a CA the broker does not trust. */
  stranger: CertFiles;
  /** Deletes the files. */
  remove(): void;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(dir: string, name: string): CertFiles {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];

/** Makes the CA, server, client and stranger certificates (P-256 keys, valid for a day). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'tskafka-certs-'));
  const path = (n: string) => join(dir, n);
  const selfSigned = (name: string, subject: string) =>
    openssl([
      'req',
      '-x509',
      ...EC,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
      '-subj',
      subject,
    ]);
  // OpenSSL 3's `req -x509 -CA` signs with the CA in one step.
  const signed = (name: string, ca: string, subject: string, ext: string[] = []) =>
    openssl([
      'req',
      '-x509',
      ...EC,
      '-CA',
      path(`${ca}.pem`),
      '-CAkey',
      path(`${ca}.key`),
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
      '-subj',
      subject,
      ...ext,
    ]);
  selfSigned('ca', '/CN=tskafka test CA');
  selfSigned('other-ca', '/CN=some other CA');
  signed('server', 'ca', '/CN=localhost', ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  signed('client', 'ca', '/C=US/O=Acme/CN=alice-client');
  signed('stranger', 'other-ca', '/CN=stranger');
  return {
    dir,
    ca: files(dir, 'ca'),
    server: files(dir, 'server'),
    client: files(dir, 'client'),
    stranger: files(dir, 'stranger'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
