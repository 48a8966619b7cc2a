import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/program';

describe('@neck-signal/protocol as a package', () => {
  const lib = join(REPO_ROOT, 'libs', 'protocol');

  it('points main and types at the built output', () => {
    expect(existsSync(join(lib, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(lib, 'dist', 'index.d.ts'))).toBe(true);
  });

  it('gives the whole API to a plain Node script in another process', () => {
    const script = `
      const p = require(${JSON.stringify(lib)});
      const ok = p.parseNeckCommand('x50, s1.50');
      const bad = p.parseNeckCommand('X9999');
      const tracker = new p.HeadPoseTracker();
      tracker.merge(p.parseNeckCommand('X50').command);
      const merged = tracker.merge(p.parseNeckCommand('Y-20').command);
      const dto = p.validatePayload(p.BroadcastMessageDto, { message: 42 });
      process.stdout.write(JSON.stringify({
        line: ok.line,
        error: bad.error.message,
        merged: merged.line,
        dto: dto.message,
        events: p.Events,
        health: p.parseHealthLine('HEALTH|DEVICE=NECK|PROTO=1').device,
        format: p.formatNeckCommand({ kind: 'home', keyword: 'HOME_SOFT' }),
      }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: '/', encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
    expect(out).toEqual({
      line: 'X50,S1.5',
      error: 'X9999: X must be an integer from -700 to 700',
      merged: 'X50,Y-20,Z0,H0,S1,A1,R0,P0',
      dto: 'message must be a string',
      events: expect.objectContaining({ BroadcastMessage: 'broadcast-message', NeckAck: 'neck_ack' }),
      health: 'NECK',
      format: 'HOME_SOFT',
    });
  });

  it('ships declarations a TypeScript consumer can compile against', () => {
    const declarations = execFileSync(
      process.execPath,
      [
        '-e',
        `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(lib, 'dist', 'firmware', 'parse.d.ts'))}, 'utf8'))`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(declarations).toContain(
      'export declare function parseNeckCommand(text: string, limits?: Partial<NeckLimits>): ParseResult;',
    );
  });
});
