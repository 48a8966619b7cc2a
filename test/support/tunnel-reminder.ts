import type { Socket } from 'node:net';
import type { RequestHead } from './public-connection';

/** How long a visitor IP that entered the tunnel password passes without the page (localtunnel/localtunnel#655). */
export const CONSENT_MS = 7 * 24 * 60 * 60 * 1000;
/** Where the fake's reminder form posts the password (the real page's own path is not published). */
export const REMINDER_FORM_PATH = '/__tunnel-reminder';

/**
 * The real service's test for "a standard web browser" is the detect-browser package's `type === 'browser'`
 * (localtunnel/localtunnel#598): every mainstream browser's user agent names one of these engines; curl, Node's
 * fetch ("node") and socket.io's Node client do not.
 */
export function isBrowser(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /\b(Chrome|Chromium|Firefox|Safari|Edg|OPR|CriOS|FxiOS)\/\d/.test(userAgent);
}

/**
 * The "friendly reminder" of loca.lt, as the fake shows it: to a browser (by user agent) that sends no
 * `bypass-tunnel-reminder` header, from an IP that has not entered this tunnel's password in the last 7 days,
 * a page asking for the tunnel password — the public IP of the machine that opened the tunnel
 * (localtunnel/localtunnel#598, #648, #655). The right password lets that IP through for 7 days.
 */
export class TunnelReminder {
  /** Pages shown, and passwords refused, since the server started. */
  pagesShown = 0;
  passwordsRefused = 0;
  /** `tunnel id + visitor IP` → until when it passes. */
  private readonly consent = new Map<string, number>();

  constructor(
    private readonly gateEveryone: boolean,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Whether this request meets the page instead of the tunnel. */
  gates(tunnelId: string, visitorIp: string, head: RequestHead): boolean {
    if (head.headers.has('bypass-tunnel-reminder')) return false;
    if (!this.gateEveryone && !isBrowser(head.headers.get('user-agent'))) return false;
    return (this.consent.get(`${tunnelId} ${visitorIp}`) ?? 0) <= this.now();
  }

  /**
   * Answers a gated request on `socket`: the page, or for its form the check of the password (right: the visitor
   * IP passes for 7 days and goes back where it was going; wrong: the page again, saying so).
   */
  answer(socket: Socket, tunnelId: string, visitorIp: string, password: string, head: RequestHead, body: Buffer): void {
    const { pathname } = new URL(head.path, 'http://tunnel');
    if (head.method === 'POST' && pathname === REMINDER_FORM_PATH) {
      const form = new URLSearchParams(body.toString('utf8'));
      const back = safePath(form.get('return'));
      if ((form.get('password') ?? '').trim() === password) {
        this.consent.set(`${tunnelId} ${visitorIp}`, this.now() + CONSENT_MS);
        return respond(socket, 302, { location: back }, '');
      }
      this.passwordsRefused++;
      return this.page(socket, back, 'That is not the tunnel password. Ask whoever sent you this link for it.');
    }
    this.page(socket, head.method === 'GET' ? safePath(head.path) : '/', '');
  }

  private page(socket: Socket, back: string, error: string): void {
    this.pagesShown++;
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tunnel reminder</title></head>
<body>
<h1>Friendly reminder</h1>
<p>This site is served through a tunnel. Visit it only if you trust whoever gave you the link.</p>
<form method="post" action="${REMINDER_FORM_PATH}">
<input type="hidden" name="return" value="${escapeHtml(back)}">
<label for="password">Tunnel password</label>
<input id="password" name="password" type="text" required>
${error === '' ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
<button type="submit">Submit</button>
</form>
<p>Visitors see this page once per public IP every 7 days. The tunnel password is the public IP of the
machine running the tunnel client.</p>
</body></html>`;
    respond(socket, 200, { 'content-type': 'text/html; charset=utf-8' }, html);
  }
}

function respond(socket: Socket, status: number, headers: Record<string, string>, body: string): void {
  const reason = status === 302 ? 'Found' : 'OK';
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'connection: close', `content-length: ${Buffer.byteLength(body)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** A path on this site to go back to; anything else goes to `/`. */
function safePath(path: string | null): string {
  return path !== null && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
