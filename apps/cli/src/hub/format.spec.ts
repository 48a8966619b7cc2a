import { NeckAckDeliveryDto } from '@neck-signal/protocol';
import { formatAck } from './format';

describe('formatAck', () => {
  const written: NeckAckDeliveryDto = { command: 'X50,Y0,Z0,H0,S1,A1,R0,P0', status: 'written', peerId: 'sid-1' };

  it('says where the time went after the round trip, each hop in the order a command passes it', () => {
    const timeline = { hubMs: 0.83, linkMs: 4.2, agentMs: 2.04, queueMs: 0, wireMs: 2.26 };
    expect(formatAck({ ...written, timeline }, 'arm-1', 12.4)).toBe(
      'ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in 12 ms (hub 0.8, link 4.2, agent 2, queue 0, wire 2.3) from neck arm-1',
    );
  });

  it('names the fence when the command waited behind a HOME, and only the hops measured', () => {
    const timeline = { agentMs: 5012.6, queueMs: 5010.3, fenceMs: 4987.9, wireMs: 0.43 };
    expect(formatAck({ ...written, command: '1:20', timeline }, 'arm-1', 5020)).toBe(
      'ack written 1:20 in 5020 ms (agent 5013, queue 5010, fence 4988, wire 0.4) from neck arm-1',
    );
  });

  it('leaves the parenthesis out when the neck reports no timeline (the original Python agent)', () => {
    expect(formatAck(written, 'python-neck', 7.6)).toBe(
      'ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in 8 ms from neck python-neck',
    );
  });

  it('puts a refusal’s reason after the neck', () => {
    const rejected: NeckAckDeliveryDto = {
      command: 'X500',
      status: 'rejected',
      peerId: 'sid-1',
      error: { code: 'OUT_OF_RANGE', message: 'X500: X must be an integer from -100 to 100' },
      timeline: { hubMs: 0.1, linkMs: 0.9, agentMs: 0.05, queueMs: 0 },
    };
    expect(formatAck(rejected, 'arm-1', 1.2)).toBe(
      'ack rejected X500 in 1 ms (hub 0.1, link 0.9, agent 0.1, queue 0) from neck arm-1: X500: X must be an integer from -100 to 100 [OUT_OF_RANGE]',
    );
  });

  it('for another client’s command: the timeline without a round trip', () => {
    expect(formatAck({ ...written, timeline: { agentMs: 2, queueMs: 0, wireMs: 2.3 } }, 'arm-1')).toBe(
      'ack written X50,Y0,Z0,H0,S1,A1,R0,P0 (agent 2, queue 0, wire 2.3) from neck arm-1',
    );
  });
});
