import { resolve } from 'node:path';
import { MAX_UUID_LENGTH, UUID_PATTERN, UUID_RULE } from '@neck-signal/protocol';
import { badPortMessage, isBadPort, urlPort } from './bad-ports';
import { ConfigError, asConfigError } from './config-error';
import { envFilePath } from './config-file';
import { envValue, readEnvFile, updateEnvFile } from './env-file';
import { SettingsContext } from './interactive';
import { DeviceKind, deviceName } from './device-name';
import { randomPassword } from './secrets';
import { readTrustedCertificate, TrustedCertificate } from './tls-certificate';

/** The hub a fresh agent or `neck` offers: the one `neck demo` and a hub on this machine listen on. */
export const LOCAL_HUB_URL = 'http://127.0.0.1:5000';

/** The seed's first-run questions, defined once: the programs' first runs and `neck setup` ask these. */
export const QUESTIONS = Object.freeze({
  corsOrigins: 'CORS origins (* or comma-separated URLs)',
  subdomain: 'LocalTunnel subdomain (blank for a random one)',
  /** `neck setup hub` when a subdomain is saved: blank keeps it, `-` asks for a random one. */
  subdomainAgain: 'LocalTunnel subdomain (- for a random one)',
  hubUrl: 'Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)',
  hubPassword: 'Shared password (blank for a random one)',
  peerPassword: 'Shared password (must match the hub)',
  keepPassword: 'Shared password (blank keeps the saved one)',
  agentUuid: 'UUID for this agent (its name on the hub)',
  cliUuid: 'UUID for you (your name on the hub)',
});

const UUID_QUESTIONS: Readonly<Record<DeviceKind, string>> = { agent: QUESTIONS.agentUuid, cli: QUESTIONS.cliUuid };

/** The hub makes a shared password up when it is left blank; agents and operators must give the hub's. */
export type PasswordOwner = 'hub' | 'peer';

/** A shared password, and whether this run asked for it and saved it, or made it up (show that one once). */
export interface SharedPassword {
  readonly password: string;
  readonly saved: boolean;
  readonly madeUp: boolean;
}

/**
 * The seed's first-run flow, shared by neck-hub, neck-agent and neck: each value comes from a flag, the
 * environment, the config dir's `.env` or its config file; on a terminal what is missing is asked (the
 * password is saved to `.env`, mode 0600); without one a missing value is a ConfigError (exit 2) saying how to
 * give it. With `again` (what `neck setup` does) every question is asked, offering the saved answer.
 */
export class FirstRun {
  readonly envPath: string;
  private readonly dotEnv: Record<string, string>;

  constructor(
    readonly configDir: string,
    private readonly context: SettingsContext,
    private readonly options: {
      /** How a person without a terminal gives what is missing, e.g. "or run neck-agent once on a terminal". */
      readonly otherwise: string;
      readonly again?: boolean;
    },
  ) {
    this.envPath = envFilePath(configDir);
    this.dotEnv = asConfigError(() => readEnvFile(this.envPath));
  }

  /** True when questions can be asked. */
  get canAsk(): boolean {
    return this.context.asker !== undefined;
  }

  /** PEER_SHARED_SECRET from the environment or `.env`, without asking (a paired device may have none). */
  knownPassword(): string | undefined {
    return envValue('PEER_SHARED_SECRET', this.context.env, this.dotEnv);
  }

  /** NECK_HUB_URL from the environment or `.env`, without asking. */
  knownHubUrl(): string | undefined {
    return envValue('NECK_HUB_URL', this.context.env, this.dotEnv);
  }

  /**
   * PEER_SHARED_SECRET: the environment, then `.env`; else asked and saved. With `again` a blank answer keeps
   * the saved one. A hub makes one up for a blank answer; for the others it is required.
   */
  async sharedPassword(owner: PasswordOwner): Promise<SharedPassword> {
    const saved = envValue('PEER_SHARED_SECRET', this.context.env, this.dotEnv);
    const asker = this.context.asker;
    if (saved !== undefined && !this.options.again) return { password: saved, saved: false, madeUp: false };
    if (!asker) {
      throw new ConfigError(
        `no shared password: set PEER_SHARED_SECRET in the environment or in ${this.envPath} (${this.options.otherwise})`,
      );
    }
    const savedInFile = this.dotEnv.PEER_SHARED_SECRET;
    const question =
      this.options.again && savedInFile
        ? QUESTIONS.keepPassword
        : owner === 'hub'
          ? QUESTIONS.hubPassword
          : QUESTIONS.peerPassword;
    const answer = await asker.secret(question);
    if (answer === '' && this.options.again && savedInFile)
      return { password: savedInFile, saved: false, madeUp: false };
    if (answer === '' && owner !== 'hub') {
      throw new ConfigError('no shared password given; it must be the hub’s PEER_SHARED_SECRET');
    }
    const password = answer === '' ? randomPassword() : answer;
    asConfigError(() => updateEnvFile(this.envPath, { PEER_SHARED_SECRET: password }));
    return { password, saved: true, madeUp: answer === '' };
  }

  /**
   * The hub's URL: the flag, NECK_HUB_URL (environment, `.env`), the saved one; else asked (offering the
   * saved one, else LOCAL_HUB_URL). Checked to be http(s), returned without trailing slashes.
   */
  async hubUrl(flag: string | undefined, saved: string | undefined): Promise<{ url: string; asked: boolean }> {
    const fromEnv = envValue('NECK_HUB_URL', this.context.env, this.dotEnv);
    const known = flag ?? fromEnv ?? saved;
    const asker = this.context.asker;
    if (known !== undefined && (flag !== undefined || !this.options.again)) {
      return { url: checkHubUrl(known), asked: false };
    }
    if (!asker) {
      throw new ConfigError(`no hub URL: pass -s/--server-url URL or set NECK_HUB_URL (${this.options.otherwise})`);
    }
    const answer = await asker.text(QUESTIONS.hubUrl, saved ?? fromEnv ?? LOCAL_HUB_URL);
    return { url: checkHubUrl(answer), asked: true };
  }

  /**
   * The certificate to trust for a hub that serves its own (`neck-hub --https`, `npm start -- --lan`), a copy of
   * its https-ca.pem: the flag's file (`--hub-ca`), NECK_HUB_CA (environment, `.env`) or the saved path (`hub_ca`
   * in the config file named `savedIn`, relative to the config dir); undefined when none is given (a hub with a
   * public certificate, or plain http).
   */
  hubCa(flag: string | undefined, saved: string | undefined, savedIn: string): TrustedCertificate | undefined {
    const fromEnv = envValue('NECK_HUB_CA', this.context.env, this.dotEnv);
    if (flag !== undefined) return readTrustedCertificate(flag, '--hub-ca');
    if (fromEnv !== undefined && fromEnv !== '') return readTrustedCertificate(fromEnv, 'NECK_HUB_CA');
    if (saved !== undefined) return readTrustedCertificate(resolve(this.configDir, saved), `hub_ca in ${savedIn}`);
    return undefined;
  }

  /**
   * A uuid: the flag, the saved one, else a name from this host (deviceName, e.g. `pi4-neck-3f2a`), made up
   * without a question: the first run asks only what nothing else can answer. With `again` (`neck setup`) it is
   * asked, offering the saved one or a new name.
   */
  async uuid(
    kind: DeviceKind,
    flag: string | undefined,
    saved: string | undefined,
  ): Promise<{ uuid: string; asked: boolean; madeUp: boolean }> {
    const known = flag ?? saved;
    const asker = this.context.asker;
    if (known !== undefined && (flag !== undefined || !this.options.again)) {
      return { uuid: checkUuid(known), asked: false, madeUp: false };
    }
    const name = known ?? deviceName(kind);
    if (!asker || !this.options.again) return { uuid: checkUuid(name), asked: false, madeUp: known === undefined };
    const answer = (await asker.text(UUID_QUESTIONS[kind], name)).trim();
    return { uuid: checkUuid(answer === '' ? name : answer), asked: true, madeUp: false };
  }

  /** A free-text answer, or `fallback` without a terminal or for a blank answer. */
  async text(question: string, fallback: string): Promise<string> {
    const asker = this.context.asker;
    return asker ? (await asker.text(question, fallback)).trim() : fallback;
  }
}

/**
 * An http(s) URL without trailing slashes; a ConfigError that shows one otherwise, or that names the port when
 * it is a "bad port" nothing can connect to (see bad-ports.ts).
 */
export function checkHubUrl(value: string): string {
  const url = value.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ConfigError(
      `hub URL ${JSON.stringify(url)} is not an http(s) URL; pass one such as ${LOCAL_HUB_URL} or https://neck-signal.loca.lt`,
    );
  }
  const port = urlPort(parsed);
  if (port !== undefined && isBadPort(port)) throw new ConfigError(`hub URL ${url}: ${badPortMessage(port)}`);
  return url.replace(/\/+$/, '');
}

/** The uuid itself; a ConfigError unless it is one the hub takes (UUID_PATTERN, MAX_UUID_LENGTH). */
export function checkUuid(uuid: string): string {
  if (uuid.length > MAX_UUID_LENGTH || !UUID_PATTERN.test(uuid)) {
    throw new ConfigError(`the hub would refuse uuid ${JSON.stringify(uuid)}: ${UUID_RULE}`);
  }
  return uuid;
}
