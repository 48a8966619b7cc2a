import {
  formatSeconds,
  HubPaths,
  TUNNEL_BYPASS_HEADER,
  type LoginRequestDto,
  type LoginResponseDto,
} from '@neck-signal/protocol';
import { LoginError } from './errors';

export interface LoginRequestOptions {
  /** Give up on an attempt that has not been answered after this many ms. */
  timeoutMs: number;
  /** Aborts the request (close()). */
  signal?: AbortSignal;
  /** The fetch to use; default the global one (HubTrust's for a hub with a certificate of its own). */
  fetch?: typeof fetch;
}

/** Statuses a proxy or tunnel (LocalTunnel) answers with when the hub behind it is down. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * One `POST /login` to the hub at `baseUrl` (no trailing slash). Resolves `{token, uuid}`; rejects with a
 * LoginError whose reason and message say what went wrong, or with the abort reason when `signal` fires.
 */
export async function requestLogin(
  baseUrl: string,
  body: LoginRequestDto,
  options: LoginRequestOptions,
): Promise<LoginResponseDto> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort);
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(`${baseUrl}${HubPaths.Login}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        // LocalTunnel shows browsers a reminder page instead of the hub unless this header is present.
        [TUNNEL_BYPASS_HEADER]: 'neck-signal',
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const why = controller.signal.aborted
      ? `no answer within ${formatSeconds(options.timeoutMs)}`
      : networkCause(error);
    if (UNTRUSTED_CERTIFICATE.has(why)) {
      // Retrying cannot help: the hub answers, with a certificate this client does not take.
      throw new LoginError('rejected', untrustedMessage(baseUrl, why), { cause: error });
    }
    throw new LoginError('unreachable', `hub at ${baseUrl} is unreachable (${why})`, { cause: error });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
  return interpret(baseUrl, response, text);
}

/** Node's reasons for refusing a server's certificate (OpenSSL's verify errors, and a name it does not hold). */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function untrustedMessage(baseUrl: string, code: string): string {
  const what =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? `presents a certificate for other names than ${new URL(baseUrl).hostname} (${code})`
      : `presents a certificate this program does not trust (${code})`;
  return (
    `hub at ${baseUrl} ${what}; a hub started with --https makes its own: give this program a copy of the ` +
    `hub's https-ca.pem with --hub-ca FILE or NECK_HUB_CA (or hub_ca in its config file), and use an address the hub prints`
  );
}

function interpret(baseUrl: string, response: Response, text: string): LoginResponseDto {
  const { status } = response;
  const json = parseJson(text);
  const detail = serverMessage(json) ?? response.statusText;
  const what = `${status}${detail ? ` ${detail}` : ''}`;
  if (status === 200) {
    if (isLoginResponse(json)) {
      return {
        token: json.token,
        uuid: json.uuid,
        ...(typeof json.expiresIn === 'number' ? { expiresIn: json.expiresIn } : {}),
        ...(typeof json.deviceKey === 'string' ? { deviceKey: json.deviceKey } : {}),
      };
    }
    throw new LoginError('rejected', `${baseUrl} answered the login without a token; is it a neck-signal hub?`, {
      status,
    });
  }
  if (status === 401) {
    if (/device key/.test(detail ?? ''))
      return fail('key-refused', `hub at ${baseUrl} refused this device's key (${what})`);
    return fail('wrong-password', `hub at ${baseUrl} refused the password (${what}); check the shared password`);
  }
  if (status === 429) {
    const retryAfterSeconds = retryAfter(response.headers.get('retry-after'), detail);
    return fail(
      'throttled',
      `hub at ${baseUrl} refuses logins for now after too many failed ones (${what}); ` +
        (retryAfterSeconds === undefined ? 'wait before trying again' : `wait ${retryAfterSeconds} s`) +
        ' and check the shared password',
      retryAfterSeconds,
    );
  }
  if (GATEWAY_STATUSES.has(status)) {
    return fail('unreachable', `hub at ${baseUrl} is unreachable (${what} from the proxy or tunnel in front of it)`);
  }
  if (status === 404) {
    return fail('rejected', `${baseUrl} has no ${HubPaths.Login} (${what}); check the hub URL (is the tunnel up?)`);
  }
  return fail('rejected', `hub at ${baseUrl} rejected the login (${what})`);

  function fail(reason: LoginError['reason'], message: string, retryAfterSeconds?: number): never {
    throw new LoginError(reason, message, {
      status,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('login aborted');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isLoginResponse(value: unknown): value is LoginResponseDto & { expiresIn?: unknown; deviceKey?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'token' in value &&
    'uuid' in value &&
    typeof value.token === 'string' &&
    value.token !== '' &&
    typeof value.uuid === 'string'
  );
}

/** The `message` of a Nest error body (a string or a list of strings). */
function serverMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('message' in json)) return undefined;
  const { message } = json;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((item) => typeof item === 'string')) return message.join('; ');
  return undefined;
}

/**
 * Seconds to wait from a Retry-After header (seconds or an HTTP date). A browser only sees that header when
 * the hub exposes it to CORS, so the hub's message ("try again in N s") is the fallback.
 */
export function retryAfter(header: string | null, message: string | undefined): number | undefined {
  if (header !== null && header.trim() !== '') {
    const value = header.trim();
    if (/^\d+$/.test(value)) return Number(value);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const match = message === undefined ? null : /try again in (\d+) ?s\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * A short cause of a failed fetch: Node's `cause.code` (ECONNREFUSED, ENOTFOUND…) or the message. Duck-typed:
 * errors from another realm (a test sandbox, an iframe) fail `instanceof Error`.
 */
export function networkCause(error: unknown): string {
  const cause = property(error, 'cause') ?? error;
  const code = errorCode(cause);
  if (code !== undefined) return code;
  const inner = property(cause, 'errors');
  if (Array.isArray(inner)) {
    for (const item of inner) {
      const innerCode = errorCode(item);
      if (innerCode !== undefined) return innerCode;
    }
  }
  const message = property(cause, 'message') ?? property(error, 'message');
  return typeof message === 'string' && message !== '' ? message : String(error);
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function errorCode(error: unknown): string | undefined {
  const code = property(error, 'code');
  return typeof code === 'string' ? code : undefined;
}
