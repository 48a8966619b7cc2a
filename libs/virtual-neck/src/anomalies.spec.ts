import { NECK_ANOMALY_KINDS, NeckAnomalyKind, describeAnomaly, describeStats } from './anomalies';

describe('describing anomalies', () => {
  it.each<[NeckAnomalyKind, string, string]>([
    ['bytes-lost', '212 bytes: UART buffer full while homing', 'LOST 212 bytes: UART buffer full while homing'],
    ['garbled-line', 'X9,Y-3,Z2,H20,S1,A1,R0', 'GARBLED line ran: X9,Y-3,Z2,H20,S1,A1,R0'],
    ['split-line', 'X1,Y2', 'SPLIT by the read timeout, ran: X1,Y2'],
    [
      'refused-speed',
      'speed S5 (240000 Hz > 201120): the stepper keeps 48000 Hz',
      'REFUSED speed S5 (240000 Hz > 201120): the stepper keeps 48000 Hz',
    ],
    [
      'refused-accel',
      'acceleration A0 (0 steps/s² ≤ 0): the stepper keeps 36000 steps/s²',
      'REFUSED acceleration A0 (0 steps/s² ≤ 0): the stepper keeps 36000 steps/s²',
    ],
    [
      'undefined-targets',
      'pitch is NaN for Q:0.7071,0,0.7071,0',
      'UNDEFINED targets: pitch is NaN for Q:0.7071,0,0.7071,0',
    ],
  ])('%s reads loudly', (kind, detail, loud) => {
    expect(describeAnomaly({ kind, detail, atMs: 0 })).toBe(loud);
  });

  it('has a label for every kind', () => {
    for (const kind of NECK_ANOMALY_KINDS) expect(describeAnomaly({ kind, detail: 'x', atMs: 0 })).toMatch(/^[A-Z]+ /);
  });

  it('sums the stats up on one line', () => {
    expect(
      describeStats({
        bytesLost: 264,
        bytesLostBooting: 7,
        garbledLines: 1,
        splitLines: 2,
        refusedSettings: 3,
        undefinedTargets: 4,
        linesRun: 10,
      }),
    ).toBe(
      '10 lines run; 264 bytes lost (7 to a reset); 1 garbled lines; 2 split lines; ' +
        '3 refused speed/accel settings; 4 undefined targets',
    );
  });
});
