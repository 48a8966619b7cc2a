import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

/**
 * What a Node client needs to reach a hub that serves its own certificate (hub-client's HubTrust): the
 * certificates to trust (the usual public authorities plus the hub's own) and a fetch that trusts them.
 */
export interface HubTrustPems {
  readonly ca: readonly string[];
  readonly fetch: typeof fetch;
}

/** Trust for a hub whose authority is `pem` (a copy of its https-ca.pem), keeping the public ones. */
export function hubTrust(pem: string): HubTrustPems {
  const ca = [...rootCertificates, pem];
  return { ca, fetch: fetchTrusting(ca) };
}

/** Statuses whose response has no body (a Response refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch that verifies https servers against `ca` instead of Node's built-in list (Node's own fetch cannot be
 * told which authorities to trust without undici's dispatcher). Enough for what the clients ask of a hub:
 * string bodies, headers, a signal; http URLs go to the global fetch. Fails as fetch does: a TypeError whose
 * `cause` is the socket's error (its `code`, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, says why).
 */
export function fetchTrusting(ca: readonly string[]): typeof fetch {
  return async (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('fetchTrusting takes a URL');
    const url = new URL(input);
    if (url.protocol !== 'https:') return fetch(url, init);
    const body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string') throw new TypeError('fetchTrusting sends string bodies only');
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(
        url,
        { method: init.method ?? 'GET', headers, ca: [...ca], ...(init.signal ? { signal: init.signal } : {}) },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 0;
            const received = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
                received.append(name, item);
              }
            }
            resolve(
              new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: incoming.statusMessage ?? '',
                headers: received,
              }),
            );
          });
        },
      );
      outgoing.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      outgoing.end(body);
    });
  };
}
