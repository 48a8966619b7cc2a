import type { HubClient } from '@neck-signal/hub-client';
import type { HubHealthDto } from '@neck-signal/protocol';
import { HubPaths } from '@neck-signal/protocol';
import { create } from 'qrcode';
import { html } from './dom';

/** Pixels a QR module takes, and the white border in modules (the four the QR standard asks for). */
const MODULE_PX = 4;
const QUIET_ZONE = 4;

/**
 * "Share this page": the address to open the page from elsewhere — the tunnel's public one when the hub has a
 * tunnel, else this page's own — as a link and a QR code, with the tunnel password a browser meets first on the
 * tunnel's reminder page (docs/tunnel.md). Read from `GET /` with this operator's token when the panel opens;
 * the shared password is never part of it.
 */
export class SharePanel {
  private client: HubClient | undefined;

  constructor(
    private readonly details: HTMLDetailsElement,
    private readonly body: HTMLElement,
  ) {
    details.addEventListener('toggle', () => {
      if (details.open) void this.refresh();
    });
  }

  /** The client to ask (undefined when logged out). */
  use(client: HubClient | undefined): void {
    this.client = client;
    this.body.replaceChildren();
    if (client && this.details.open) void this.refresh();
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.body.replaceChildren(html('p', 'hint', 'Asking the hub…'));
    let health: HubHealthDto;
    try {
      health = await client.health();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.body.replaceChildren(html('p', 'error', `Could not ask the hub for its addresses: ${reason}`));
      return;
    }
    if (client === this.client) this.show(health.tunnel);
  }

  private show(tunnel: HubHealthDto['tunnel']): void {
    const own = new URL(HubPaths.WebPage, window.location.href).href;
    const viaTunnel = tunnel.state !== 'disabled' && tunnel.url !== null;
    const address = viaTunnel && tunnel.url !== null ? new URL(HubPaths.WebPage, tunnel.url).href : own;
    const link = html('a', 'share-link', address);
    link.href = address;
    const parts: Node[] = [
      html('p', '', viaTunnel ? 'Public address, through the tunnel: ' : 'Address of this page: ', link),
    ];
    if (viaTunnel) {
      if (tunnel.state !== 'open') parts.push(html('p', 'error', `The tunnel is ${tunnel.state} right now.`));
      parts.push(tunnelPassword(tunnel.password));
    }
    parts.push(qrCanvas(address), html('p', 'hint', 'Whoever opens it still logs in with the hub’s shared password.'));
    this.body.replaceChildren(...parts);
  }
}

function tunnelPassword(password: string | undefined): HTMLElement {
  const value = password ?? 'unknown';
  const known = value !== 'unknown';
  return html(
    'div',
    'tunnel-password',
    html('p', '', 'Tunnel password: ', html('code', 'share-password', value)),
    html(
      'p',
      'hint',
      'A browser opening the public address first meets the tunnel service’s reminder page, which asks for this ' +
        'password once per visitor IP every 7 days. ' +
        (known
          ? 'Give it with the link.'
          : 'The tunnel service did not tell the hub; it is the public IP of the machine the hub runs on.'),
    ),
  );
}

/** `text` as a QR code on a canvas, black on white with the standard's quiet zone. */
function qrCanvas(text: string): HTMLCanvasElement {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * QUIET_ZONE) * MODULE_PX;
  const canvas = html('canvas', 'share-qr');
  canvas.width = side;
  canvas.height = side;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `QR code of ${text}`);
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, side, side);
  context.fillStyle = '#000';
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (modules.get(y, x) === 1) {
        context.fillRect((x + QUIET_ZONE) * MODULE_PX, (y + QUIET_ZONE) * MODULE_PX, MODULE_PX, MODULE_PX);
      }
    }
  }
  return canvas;
}
