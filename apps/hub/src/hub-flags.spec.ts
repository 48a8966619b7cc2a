import { parseHubFlags } from './hub-flags';

/** neck-hub's flags as parsed from a command line; a usage error is what commander printed and the exit code. */
function parse(...args: string[]) {
  const printed: string[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${String(code)}`);
  });
  try {
    return { flags: parseHubFlags(['node', 'neck-hub', ...args]) };
  } catch (error) {
    return { error: (error as Error).message, printed: printed.join('') };
  } finally {
    stderr.mockRestore();
    exit.mockRestore();
  }
}

describe('neck-hub flags', () => {
  // Adversary: `--port 6000` (the README's old example) listens fine, then no browser, agent or CLI reaches it.
  it('refuses a bad port at once with the reason and a port to pick instead (exit 2)', () => {
    const result = parse('--port', '6000');
    expect(result.error).toBe('exit 2');
    expect(result.printed).toContain(
      'port 6000 is a "bad port" that browsers and Node\'s fetch refuse to connect to ' +
        '(https://fetch.spec.whatwg.org/#port-blocking); pick another, e.g. 6001',
    );
  });

  it('takes good ports, 0, and --https', () => {
    expect(parse('--port', '0').flags).toMatchObject({ port: 0, tunnel: true });
    expect(parse('--port', '6001', '--https').flags).toMatchObject({ port: 6001, https: true });
    expect(parse().flags?.https).toBeUndefined();
  });

  it('takes the caps per identity, and refuses a cap below 1 (exit 2)', () => {
    expect(parse('--max-sockets-per-uuid', '4', '--max-paired-devices', '20').flags).toMatchObject({
      maxSocketsPerUuid: 4,
      maxPairedDevices: 20,
    });
    const zero = parse('--max-sockets-per-uuid', '0');
    expect(zero.error).toBe('exit 2');
    expect(zero.printed).toMatch(/--max-sockets-per-uuid.*a whole number from 1 to 100000/);
  });

  it('refuses a tunnel host on a bad port', () => {
    expect(parse('--tunnel-host', 'http://tunnel.example:6667').printed).toMatch(/port 6667 is a "bad port"/);
  });
});
