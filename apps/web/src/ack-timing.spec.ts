// Jest maps only the libraries' roots; the page imports the timeline through its own subpath (no decorators).
jest.mock(
  '@neck-signal/protocol/timeline',
  () => jest.requireActual<typeof import('../../../libs/protocol/src/timeline')>('../../../libs/protocol/src/timeline'),
  { virtual: true },
);

import { describeAckTiming } from './ack-timing';

describe('describeAckTiming', () => {
  it('gives the page’s round trip, then each hop the ack reports, in the order a command passes them', () => {
    const timeline = { hubMs: 1.2, linkMs: 4, agentMs: 2, queueMs: 0, wireMs: 3.04 };
    expect(describeAckTiming(12.4, timeline)).toBe('in 12 ms (hub 1.2, link 4, agent 2, queue 0, wire 3)');
  });

  it('shows the fence only when the command waited behind one, and whole ms from 10 up', () => {
    expect(describeAckTiming(5120, { agentMs: 5101, queueMs: 5100, fenceMs: 5051, wireMs: 2.2 })).toBe(
      'in 5120 ms (agent 5101, queue 5100, fence 5051, wire 2.2)',
    );
    expect(describeAckTiming(8.25, { agentMs: 1, queueMs: 0, fenceMs: 0 })).toBe('in 8.3 ms (agent 1, queue 0)');
  });

  it('without a timeline (the original Python agent) says the round trip alone', () => {
    expect(describeAckTiming(37.6, undefined)).toBe('in 38 ms');
  });
});
