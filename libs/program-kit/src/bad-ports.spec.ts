import { InvalidArgumentError } from 'commander';
import { BAD_PORTS, badPortMessage, checkPort, isBadPort } from './bad-ports';
import { ConfigError } from './config-error';
import { portOption, urlOption } from './flags';

/** What Node's own fetch says of a port: 'bad port' when it refuses it before connecting. */
async function nodeFetchRefuses(port: number): Promise<boolean> {
  // Fetch refuses a bad port before it connects; any other port is refused by this machine or answers.
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1) });
    return false;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return String(cause instanceof Error ? cause.message : cause).includes('bad port');
  }
}

describe('bad ports', () => {
  // Adversary: a list copied from somewhere that drifts from what fetch really refuses.
  it('are exactly the ports Node’s own fetch refuses, among them and their neighbours', async () => {
    const candidates = [...new Set([...BAD_PORTS].flatMap((port) => [port - 1, port, port + 1]))].filter(
      (port) => port > 0 && port < 65_536,
    );
    const refused = await Promise.all(candidates.map(async (port) => [port, await nodeFetchRefuses(port)] as const));
    expect(refused.filter(([, bad]) => bad).map(([port]) => port)).toEqual([...BAD_PORTS]);
  });

  it('says why and suggests the next port that works', () => {
    expect(badPortMessage(6000)).toBe(
      'port 6000 is a "bad port" that browsers and Node\'s fetch refuse to connect to ' +
        '(https://fetch.spec.whatwg.org/#port-blocking); pick another, e.g. 6001',
    );
    expect(badPortMessage(6665)).toMatch(/e\.g\. 6670$/);
    expect(isBadPort(5000)).toBe(false);
    expect(() => checkPort(6000, 'hub.json port')).toThrow(ConfigError);
    expect(() => checkPort(6000, 'hub.json port')).toThrow(/^hub\.json port: port 6000 is a "bad port"/);
    expect(checkPort(5000)).toBe(5000);
  });

  describe('flag parsers', () => {
    it('portOption refuses a bad port with the reason, and takes 0 and good ports', () => {
      expect(() => portOption('6000')).toThrow(InvalidArgumentError);
      expect(() => portOption('6000')).toThrow(/port 6000 is a "bad port".*pick another, e\.g\. 6001/);
      expect(() => portOption('10080')).toThrow(/bad port/);
      expect(portOption('0')).toBe(0);
      expect(portOption('5000')).toBe(5000);
      expect(() => portOption('65536')).toThrow(/a port number from 0 to 65535/);
    });

    it('urlOption refuses an http(s) or ws(s) URL on a bad port, the scheme’s default port included', () => {
      expect(() => urlOption('http://127.0.0.1:6000')).toThrow(/port 6000 is a "bad port"/);
      expect(() => urlOption('wss://hub.example:6667/')).toThrow(/port 6667/);
      // https://host:443 and http://host:80 are fine; http on 443 is as well (not a bad port).
      expect(urlOption('https://neck-signal.loca.lt/')).toBe('https://neck-signal.loca.lt');
      expect(urlOption('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
      // Redis is not fetched: its ports are its own business.
      expect(urlOption('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
      expect(() => urlOption('ftp://x')).toThrow(/expected a URL/);
    });
  });
});
