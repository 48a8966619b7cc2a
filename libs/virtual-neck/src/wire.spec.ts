import { SerialWire } from './wire';

function takeAll(wire: SerialWire): [string, number][] {
  const taken: [string, number][] = [];
  for (let next = wire.take(); next !== undefined; next = wire.take()) taken.push([next.byte, next.at]);
  return taken;
}

describe('SerialWire', () => {
  it('delivers each byte one byte time after the one before it, or after it was sent on an idle line', () => {
    const wire = new SerialWire(1);
    wire.send('ab', 0);
    wire.send('c', 0.5);
    wire.send('d', 10);
    expect(takeAll(wire)).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 11],
    ]);
    expect(wire.isEmpty).toBe(true);
  });

  it('tells when the next byte and the next newline arrive, and how many bytes are still travelling', () => {
    const wire = new SerialWire(2);
    expect(wire.nextArrival()).toBeUndefined();
    expect(wire.nextLineArrival()).toBeUndefined();
    wire.send('X1', 0);
    expect(wire.nextLineArrival()).toBe(4);
    wire.send('\nY', 0);
    expect(wire.nextArrival()).toBe(2);
    expect(wire.nextLineArrival()).toBe(6);
    expect(wire.length).toBe(4);
    expect(wire.arrivingAfter(0)).toBe(4);
    expect(wire.arrivingAfter(4)).toBe(2);
    expect(wire.arrivingAfter(8)).toBe(0);
    wire.take();
    expect(wire.arrivingAfter(1)).toBe(3);
  });

  it('delivers at once with a byte time of 0, and forgets everything on clear()', () => {
    const wire = new SerialWire(0);
    wire.send('HEALTH\n', 7);
    expect(wire.nextLineArrival()).toBe(7);
    expect(wire.arrivingAfter(7)).toBe(0);
    wire.clear();
    expect(wire.isEmpty).toBe(true);
    wire.send('X', 3);
    expect(wire.nextArrival()).toBe(3);
  });
});
