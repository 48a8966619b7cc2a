import { decodeTerminalQr } from '../../../test/support/terminal-qr';
import { terminalQrCode } from './qr-code';

describe('terminalQrCode', () => {
  // Adversary: a QR code that looks right on the terminal but does not decode to the URL (wrong module order,
  // a missing quiet zone on a dark terminal, colours that depend on the theme).
  it('decodes, as a camera sees it on a dark terminal, to exactly the URL with its fragment', () => {
    const url = 'https://192.168.1.23:5000/app/#password=ab12-cd34-ef56-7890';
    const printed = terminalQrCode(url);
    expect(decodeTerminalQr(printed)).toBe(url);
  });

  it('draws its own white background and quiet zone on every line', () => {
    const lines = terminalQrCode('https://example.test/').split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(line.startsWith('\x1b[47m\x1b[30m    ')).toBe(true);
      expect(line.endsWith('    \x1b[0m')).toBe(true);
    }
  });

  it('the decoder finds nothing in text that is not a code (it can fail)', () => {
    expect(decodeTerminalQr('hello\nworld')).toBeUndefined();
  });
});
