import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { isNotFound, writeFileAtomically } from './files';

/**
 * An HTTPS hub's files in its config dir: its own certificate authority (what agents and the CLI trust: a copy
 * of `https-ca.pem`), and the server certificate it signs for this machine's names and addresses. Keys are 0600.
 */
export const TLS_CA_FILE = 'https-ca.pem';
export const TLS_CA_KEY_FILE = 'https-ca-key.pem';
export const TLS_CERT_FILE = 'https-cert.pem';
export const TLS_KEY_FILE = 'https-key.pem';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The authority lasts ten years: the copies agents keep stay good while the server certificate changes. */
const CA_VALIDITY_DAYS = 3650;
/** A server certificate lasts a year, within what phones accept. */
const CERT_VALIDITY_DAYS = 365;
/** A file this close to its end is made again rather than left to expire while the hub runs. */
const RENEW_BEFORE_MS = DAY_MS;

/** The certificate an HTTPS hub serves, the authority that signed it, and what was made at this start. */
export interface ServingCertificate {
  /** Server certificate and key (PEM). */
  readonly cert: string;
  readonly key: string;
  /** What the server sends: its certificate, then the authority's (PEM). */
  readonly chain: string;
  /** The authority's certificate (PEM): what clients trust. */
  readonly ca: string;
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** SHA-256 fingerprint of the authority, to compare with the copy a client has. */
  readonly caFingerprint: string;
  /** What was made just now and why, e.g. "https-cert.pem (the saved one does not name 192.168.1.7)". */
  readonly made: readonly string[];
}

/** selfsigned (and the X.509 library under it) takes a tenth of a second to load: only an HTTPS hub pays for it. */
function loadSelfsigned(): typeof import('selfsigned') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return require('selfsigned') as typeof import('selfsigned');
}

interface Pair {
  readonly cert: string;
  readonly key: string;
}

/**
 * The certificate an HTTPS hub serves, kept in `dir`. The saved authority while it is valid, else a new one (an
 * EC P-256 key, for ten years). The saved server certificate while it is valid, signed by that authority and
 * names every address in `addresses` (this machine's LAN addresses change as it moves between networks), else a
 * new one (for a year) for localhost, this host's name, 127.0.0.1, ::1 and those addresses. Every file is
 * written atomically, the keys with mode 0600.
 */
export async function servingCertificate(
  dir: string,
  addresses: readonly string[],
  now: Date = new Date(),
): Promise<ServingCertificate> {
  const caPath = join(dir, TLS_CA_FILE);
  const caKeyPath = join(dir, TLS_CA_KEY_FILE);
  const certPath = join(dir, TLS_CERT_FILE);
  const keyPath = join(dir, TLS_KEY_FILE);
  const { generate } = loadSelfsigned();
  const made: string[] = [];
  const from = new Date(now.getTime() - 60_000);
  const until = (days: number) => new Date(from.getTime() + days * DAY_MS);

  let ca = readPair(caPath, caKeyPath);
  const caProblem = ca === undefined ? 'there was none' : unfitAuthority(ca, now);
  if (ca === undefined || caProblem !== undefined) {
    const pems = await generate([{ name: 'commonName', value: `neck-signal hub authority on ${hostname()}` }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: from,
      notAfterDate: until(CA_VALIDITY_DAYS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    ca = { cert: pems.cert, key: pems.private };
    writePair(caPath, caKeyPath, ca);
    made.push(`${TLS_CA_FILE} (${caProblem})`);
  }

  const ips = [...new Set(['127.0.0.1', ...addresses])];
  let served = readPair(certPath, keyPath);
  const problem = served === undefined ? 'there was none' : unfitServer(served, ca.cert, ips, now);
  if (served === undefined || problem !== undefined) {
    const names = [...new Set(['localhost', hostname()])];
    const pems = await generate([{ name: 'commonName', value: hostname() }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: from,
      notAfterDate: until(CERT_VALIDITY_DAYS),
      ca: { cert: ca.cert, key: ca.key },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...names.map((value) => ({ type: 2 as const, value })),
            ...[...ips, '::1'].map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    served = { cert: pems.cert, key: pems.private };
    writePair(certPath, keyPath, served);
    made.push(`${TLS_CERT_FILE} (${problem})`);
  }
  return {
    cert: served.cert,
    key: served.key,
    chain: `${served.cert.trimEnd()}\n${ca.cert}`,
    ca: ca.cert,
    caPath,
    certPath,
    keyPath,
    caFingerprint: new X509Certificate(ca.cert).fingerprint256,
    made,
  };
}

/** Why a saved authority will not do: unreadable, its key does not match, expired (or about to), not yet valid. */
function unfitAuthority(saved: Pair, now: Date): string | undefined {
  const parsed = parse(saved);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.ca) return 'the saved one is not a certificate authority';
  return unfitDates(parsed, now);
}

/** Why a saved server certificate will not do: as for the authority, or another authority signed it, or it misses an address. */
function unfitServer(saved: Pair, caCert: string, ips: readonly string[], now: Date): string | undefined {
  const parsed = parse(saved);
  if (typeof parsed === 'string') return parsed;
  const authority = new X509Certificate(caCert);
  if (!parsed.checkIssued(authority) || !parsed.verify(authority.publicKey)) {
    return `the saved one was not signed by ${TLS_CA_FILE}`;
  }
  const dates = unfitDates(parsed, now);
  if (dates !== undefined) return dates;
  const names = (parsed.subjectAltName ?? '').split(', ');
  const missing = ips.filter((ip) => !names.includes(`IP Address:${ip}`));
  return missing.length > 0 ? `the saved one does not name ${missing.join(', ')}` : undefined;
}

function parse(saved: Pair): X509Certificate | string {
  try {
    const certificate = new X509Certificate(saved.cert);
    return certificate.checkPrivateKey(createPrivateKey(saved.key)) ? certificate : 'the saved key does not match it';
  } catch (error) {
    return `the saved one is unreadable (${(error as Error).message})`;
  }
}

function unfitDates(certificate: X509Certificate, now: Date): string | undefined {
  if (!(Date.parse(certificate.validTo) - now.getTime() > RENEW_BEFORE_MS)) {
    return `the saved one expires ${certificate.validTo}`;
  }
  if (Date.parse(certificate.validFrom) > now.getTime())
    return `the saved one is valid only from ${certificate.validFrom}`;
  return undefined;
}

function readPair(certPath: string, keyPath: string): Pair | undefined {
  try {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new ConfigError(`cannot read ${certPath} or ${keyPath}: ${(error as Error).message}; fix or delete them`);
  }
}

/** The key first: a certificate is never left on disk beside a key it does not match for longer than a rename. */
function writePair(certPath: string, keyPath: string, pair: Pair): void {
  try {
    writeFileAtomically(keyPath, pair.key, 0o600);
    writeFileAtomically(certPath, pair.cert, 0o644);
  } catch (error) {
    throw new ConfigError(`cannot write ${certPath}: ${(error as Error).message}; pass --config-dir DIR`);
  }
}

/** A certificate to trust, read from a file, and where it came from. */
export interface TrustedCertificate {
  readonly path: string;
  readonly pem: string;
}

/**
 * Reads the certificate an agent or the CLI trusts for a hub that serves its own (`neck-hub --https`): a copy
 * of the hub's https-ca.pem. `source` names where the path came from (`NECK_HUB_CA`, `hub_ca in agent.json`). A
 * ConfigError says what to do when it is unreadable.
 */
export function readTrustedCertificate(path: string, source: string): TrustedCertificate {
  const file = resolve(path);
  const copy = `copy the hub's ${TLS_CA_FILE} (in its config dir; neck-hub --https prints where) to this machine`;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the hub certificate ${file} (${source}): ${(error as Error).message}; ${copy}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError(`${file} (${source}) is not a PEM certificate; ${copy}`);
  }
  return { path: file, pem };
}
