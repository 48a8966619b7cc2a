import jsQR from 'jsqr';

/** Pixels per QR module in the picture handed to the decoder. */
const SCALE = 4;
// eslint-disable-next-line no-control-regex -- an SGR sequence starts with ESC
const ANSI = /\x1b\[(\d+(?:;\d+)*)m/y;

/**
 * Reads a QR code the way a phone's camera would see it on a terminal: the text printed (half blocks, ANSI
 * colours) becomes a picture — each character two modules, the upper and lower halves in the foreground or
 * background colour in force — which jsQR decodes. Undefined when no code is found. Default colours count as a
 * dark terminal's: dark background, light foreground. Text read from a terminal (CR LF line ends) is fine.
 */
export function decodeTerminalQr(printed: string): string | undefined {
  const rows: boolean[][] = [];
  for (const line of printed.split(/\r?\n/)) {
    let fgDark = false;
    let bgDark = true;
    const upper: boolean[] = [];
    const lower: boolean[] = [];
    for (let i = 0; i < line.length;) {
      ANSI.lastIndex = i;
      const code = ANSI.exec(line);
      if (code) {
        for (const part of (code[1] ?? '').split(';').map(Number)) {
          if (part === 0) [fgDark, bgDark] = [false, true];
          else if (part === 30) fgDark = true;
          else if (part === 37) fgDark = false;
          else if (part === 40) bgDark = true;
          else if (part === 47) bgDark = false;
        }
        i = ANSI.lastIndex;
        continue;
      }
      const char = line[i++];
      upper.push(char === '▀' || char === '█' ? fgDark : bgDark);
      lower.push(char === '▄' || char === '█' ? fgDark : bgDark);
    }
    if (upper.length > 0) rows.push(upper, lower);
  }
  const width = Math.max(0, ...rows.map((row) => row.length));
  if (width === 0) return undefined;
  const height = rows.length;
  const pixels = new Uint8ClampedArray(width * SCALE * height * SCALE * 4);
  for (let y = 0; y < height * SCALE; y++) {
    for (let x = 0; x < width * SCALE; x++) {
      const dark = rows[Math.floor(y / SCALE)]?.[Math.floor(x / SCALE)] ?? true;
      const offset = (y * width * SCALE + x) * 4;
      pixels.fill(dark ? 0 : 255, offset, offset + 3);
      pixels[offset + 3] = 255;
    }
  }
  return jsQR(pixels, width * SCALE, height * SCALE, { inversionAttempts: 'dontInvert' })?.data;
}
