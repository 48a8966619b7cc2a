/** The white border around the code, in modules: the four the QR standard asks for. */
const QUIET_ZONE = 4;
const BLACK_ON_WHITE = '\x1b[47m\x1b[30m';
const RESET = '\x1b[0m';
/** Two modules a character, the upper one first: dark is the (black) foreground, light the (white) background. */
const HALF_BLOCKS = { '00': ' ', '10': '▀', '01': '▄', '11': '█' } as const;

/**
 * `text` as a QR code for a terminal: two modules a character (half blocks), black on an explicitly white
 * background with the standard's quiet zone, so that it scans on dark and light terminal themes alike.
 */
export function terminalQrCode(text: string): string {
  // Loaded on first use: every program loads this library, few print a code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { create } = require('qrcode') as typeof import('qrcode');
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && modules.get(y, x) === 1;
  const lines: string[] = [];
  for (let y = -QUIET_ZONE; y < size + QUIET_ZONE; y += 2) {
    let line = '';
    for (let x = -QUIET_ZONE; x < size + QUIET_ZONE; x++) {
      const key = `${dark(x, y) ? 1 : 0}${dark(x, y + 1) ? 1 : 0}` as const;
      line += HALF_BLOCKS[key];
    }
    lines.push(`${BLACK_ON_WHITE}${line}${RESET}`);
  }
  return lines.join('\n');
}

/**
 * The web page's address with the shared password in its fragment (`#password=…`), for a phone to open and log
 * in with one scan: a browser never sends the fragment to the server, and the page forgets it once it has used
 * it. Show it only where the password itself may be shown (a terminal, the demo).
 */
export function pageLoginUrl(pageUrl: string, password: string): string {
  const url = new URL(pageUrl);
  url.hash = `password=${encodeURIComponent(password)}`;
  return url.href;
}
