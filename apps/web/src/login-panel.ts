import { HubClient, LoginError } from '@neck-signal/hub-client';
import { showError } from './dom';

/** The uuid the hub gave us, kept across visits; the token lives only in the HubClient (this tab). */
const UUID_KEY = 'neck-signal.uuid';
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

  private async logIn(): Promise<void> {
    if (this.password.value === '') {
      showError(this.error, 'Enter the shared password.');
      return;
    }
    showError(this.error, '');
    this.button.disabled = true;
    this.button.textContent = 'Logging in…';
    const uuid = storedUuid();
    const client = new HubClient({
      url: new URL('../', window.location.href).href,
      password: this.password.value,
      role: 'ui',
      // One attempt: the person at the keyboard decides whether to try again.
      maxLoginAttempts: 1,
      ...(uuid === undefined ? {} : { uuid }),
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

function storedUuid(): string | undefined {
  try {
    return window.localStorage.getItem(UUID_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled (private mode): the hub picks a uuid each time
  }
}

function storeUuid(uuid: string): void {
  try {
    window.localStorage.setItem(UUID_KEY, uuid);
  } catch {
    // storage disabled: nothing to remember the uuid in
  }
}

function forgetUuid(): void {
  try {
    window.localStorage.removeItem(UUID_KEY);
  } catch {
    // storage disabled
  }
}
