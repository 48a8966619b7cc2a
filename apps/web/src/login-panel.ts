import { DeviceKeyStore, HubClient, LoginError } from '@neck-signal/hub-client';
import { showError } from './dom';

/** The uuid the hub gave us, kept across visits; the token lives only in the HubClient (this tab). */
const UUID_KEY = 'neck-signal.uuid';
/** This tab's device key (sessionStorage: it ends with the tab, and no other tab or site sees it). */
const DEVICE_KEY = 'neck-signal.device-key';

/** The tab's device key: the page pairs on its password login and renews its token with the key after. */
const tabKeys: DeviceKeyStore = {
  load: () => sessionStorage.getItem(DEVICE_KEY) ?? undefined,
  save: (key) => {
    if (key === undefined) sessionStorage.removeItem(DEVICE_KEY);
    else sessionStorage.setItem(DEVICE_KEY, key);
  },
};
/** How long the live connection may take to open after the password was accepted. */
const CONNECT_TIMEOUT_MS = 15_000;

export interface LoginHooks {
  /** Adds the handlers to a new client before it connects, so no event from the hub is missed. */
  wire(client: HubClient): void;
  /** The client is logged in and connected (existing-peers has arrived). */
  connected(client: HubClient): void;
}

/**
 * The login form: the shared password buys a HubClient that is logged in and connected to the hub this page
 * came from. Failures say what happened and what to do; throttling counts down before the next try.
 */
export class LoginPanel {
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    form: HTMLFormElement,
    private readonly password: HTMLInputElement,
    private readonly button: HTMLButtonElement,
    private readonly error: HTMLElement,
    private readonly hooks: LoginHooks,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.logIn();
    });
  }

  /** Readies the form again, with a message when the session ended on its own. */
  reset(message = ''): void {
    showError(this.error, message);
    this.password.focus();
  }

  /**
   * Logs in without typing when it can: with the password a QR code put in the URL's fragment (`#password=…`,
   * which browsers never send to a server; it is taken off the address at once, so that it stays in no history or
   * bookmark), or, in a tab that paired before (a reload), with the tab's device key.
   */
  resume(): void {
    const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('password');
    if (fromLink !== null) {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
      this.password.value = fromLink;
    }
    if (fromLink !== null || tabKeys.load() !== undefined) void this.logIn();
  }

  /** Logging out ends this tab's pairing: the next login asks for the password. */
  forgetTabKey(): void {
    tabKeys.save(undefined);
  }

  private async logIn(): Promise<void> {
    const password = this.password.value;
    if (password === '' && tabKeys.load() === undefined) {
      showError(this.error, 'Enter the shared password.');
      return;
    }
    showError(this.error, '');
    this.button.disabled = true;
    this.button.textContent = 'Logging in…';
    // A uuid of our own even on a first visit: wrong passwords are counted per uuid, and logins without one
    // through the tunnel would all share one count with whoever floods it.
    const uuid = storedUuid() ?? storeUuid(newUuid());
    const client = new HubClient({
      url: new URL('../', window.location.href).href,
      ...(password === '' ? {} : { password }),
      deviceKeys: tabKeys,
      role: 'ui',
      // One attempt: the person at the keyboard decides whether to try again.
      maxLoginAttempts: 1,
      uuid,
    });
    this.hooks.wire(client);
    try {
      await connectWithin(client, CONNECT_TIMEOUT_MS);
      if (client.uuid !== undefined) storeUuid(client.uuid);
      this.password.value = '';
      this.button.disabled = false;
      this.hooks.connected(client);
    } catch (error) {
      await client.close();
      if (error instanceof LoginError && error.reason === 'rejected' && error.status === 400) forgetUuid();
      this.fail(error);
    } finally {
      this.button.textContent = 'Log in';
    }
  }

  private fail(error: unknown): void {
    clearInterval(this.countdown);
    if (!(error instanceof LoginError) || error.reason !== 'throttled') {
      showError(this.error, loginErrorMessage(error));
      this.button.disabled = false;
      return;
    }
    let seconds = error.retryAfterSeconds ?? 0;
    const tick = () => {
      if (seconds <= 0) {
        clearInterval(this.countdown);
        showError(this.error, 'Too many failed logins a moment ago; you can try again now.');
        this.button.disabled = false;
        return;
      }
      showError(this.error, loginErrorMessage(error, seconds));
      seconds--;
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }
}

/** What went wrong, for a person: the reason first, then the hub's own words. */
export function loginErrorMessage(error: unknown, secondsLeft?: number): string {
  if (!(error instanceof LoginError)) return error instanceof Error ? error.message : String(error);
  // The client wraps the failed attempt as "gave up logging in after 1 attempts: …"; the cause says it plainly.
  const detail = error.cause instanceof LoginError ? error.cause.message : error.message;
  switch (error.reason) {
    case 'wrong-password':
      return 'Wrong password: the hub refused it. Check the shared password (PEER_SHARED_SECRET) and try again.';
    case 'throttled':
      return secondsLeft === undefined
        ? 'Too many failed logins: the hub refuses logins for now. Wait a minute, then check the password.'
        : `Too many failed logins: the hub refuses logins for ${secondsLeft} s more. Wait, then check the password.`;
    case 'unreachable':
      return `The hub is unreachable: ${detail}. Check that it is running (and its tunnel, when you use one).`;
    case 'key-refused':
      return `The hub refused this tab's device key (revoked?): ${detail}. Log in again with the password.`;
    case 'rejected':
      return `The hub refused the login: ${detail}.`;
  }
}

async function connectWithin(client: HubClient, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the hub accepted the password, but the live connection did not open within ${timeoutMs / 1000} s; ` +
              'a proxy may be blocking WebSockets — try again',
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A random uuid in the seed's form `xxxx-xxxx-xxxx-xxxx`, as the hub would pick. */
function newUuid(): string {
  const bytes = window.crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return hex.replace(/(.{4})(?!$)/g, '$1-');
}

function storedUuid(): string | undefined {
  try {
    return window.localStorage.getItem(UUID_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled (private mode): a new uuid each time
  }
}

function storeUuid(uuid: string): string {
  try {
    window.localStorage.setItem(UUID_KEY, uuid);
  } catch {
    // storage disabled: nothing to remember the uuid in
  }
  return uuid;
}

function forgetUuid(): void {
  try {
    window.localStorage.removeItem(UUID_KEY);
  } catch {
    // storage disabled
  }
}
