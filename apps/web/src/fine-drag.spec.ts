import { dragValue } from './fine-drag';

describe('dragValue (a relative drag on a head slider)', () => {
  const axis = { min: -700, max: 700, step: 1 };

  it('moves an axis by one unit a pixel from where it was: a hasty 80-px flick moves X by 80, not 541', () => {
    expect(dragValue(0, 80, 1, axis)).toBe(80);
    expect(dragValue(30, -45, 1, axis)).toBe(-15);
  });

  it('stays in the firmware range however far the pointer goes', () => {
    expect(dragValue(650, 5000, 1, axis)).toBe(700);
    expect(dragValue(-650, -5000, 1, axis)).toBe(-700);
  });

  it('lands on the step, without float noise, for height, speed and acceleration', () => {
    expect(dragValue(10, 37, 0.1, { min: 0, max: 70, step: 1 })).toBe(14);
    expect(dragValue(1, 8, 0.005, { min: 0.01, max: 4.19, step: 0.01 })).toBe(1.04);
    expect(dragValue(1, 3, 0.1, { min: 0.1, max: 10, step: 0.1 })).toBe(1.3);
    expect(dragValue(1, -1000, 0.005, { min: 0.01, max: 4.19, step: 0.01 })).toBe(0.01);
  });

  it('a pointer that came back where it started gives the value it started from', () => {
    expect(dragValue(123, 0, 1, axis)).toBe(123);
    expect(dragValue(1.5, 0, 0.005, { min: 0.01, max: 4.19, step: 0.01 })).toBe(1.5);
  });
});
