import { completeLine } from './completer';

describe('completeLine', () => {
  const peers = ['3f2a-9c1d-0b7e-55aa', '3f99-0000-0000-0001', 'lab-neck'];

  it.each([
    [
      '',
      [
        'HOME',
        'HOME_SOFT',
        'HOME_BRUTE',
        'HEALTH',
        'STATUS',
        'STOP',
        'RELEASE',
        'Q:',
        'X',
        'Y',
        'Z',
        'H',
        'S',
        'A',
        'R',
        'P',
        'help',
        'quit',
        'exit',
      ],
      '',
    ],
    ['HO', ['HOME', 'HOME_SOFT', 'HOME_BRUTE'], 'HO'],
    ['home_s', ['home_soft'], 'home_s'],
    ['he', ['health', 'help'], 'he'],
    ['X50,', ['Y', 'Z', 'H', 'S', 'A', 'R', 'P'], ''],
    ['X50, y-20,H', ['H'], 'H'],
    [
      'HOME_SOFT|',
      [
        'HOME',
        'HOME_SOFT',
        'HOME_BRUTE',
        'HEALTH',
        'STATUS',
        'STOP',
        'RELEASE',
        'Q:',
        'X',
        'Y',
        'Z',
        'H',
        'S',
        'A',
        'R',
        'P',
      ],
      '',
    ],
    ['HOME_SOFT|X10,S', ['S'], 'S'],
    ['Q:1,0,0', [], '0'],
    ['Q:1,0,0,0,', ['H', 'S', 'A'], ''],
    ['Q:1,0,0,0,H30,', ['S', 'A'], ''],
    ['1:55,', [], ''],
    ['ST', ['STATUS', 'STOP'], 'ST'],
    ['rel', ['release'], 'rel'],
  ])('%j → %j', (line, hits, word) => {
    expect(completeLine(line, peers)).toEqual([hits, word]);
  });

  it('completes REPL commands and the uuids of connected peers after :target', () => {
    expect(completeLine(':', peers)).toEqual([
      [':target ', ':all', ':take', ':release', ':peers', ':help', ':quit'],
      ':',
    ]);
    expect(completeLine(':ta', peers)).toEqual([[':target ', ':take'], ':ta']);
    expect(completeLine(':tar', peers)).toEqual([[':target '], ':tar']);
    expect(completeLine(':target 3f', peers)).toEqual([['3f2a-9c1d-0b7e-55aa', '3f99-0000-0000-0001'], '3f']);
    expect(completeLine(':target lab', peers)).toEqual([['lab-neck'], 'lab']);
    expect(completeLine(':all x', peers)).toEqual([[], ':all x']);
  });
});
