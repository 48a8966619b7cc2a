import { type Rig, WAIT_MS, count, within } from './neck-rig';

/** Resolves once the rig's neck has received `line` `times` times in all. */
export function untilCount(rig: Rig, line: string, times: number): Promise<void> {
  return within(
    WAIT_MS,
    () => `the neck to receive ${line} ${times} times; it has ${JSON.stringify(rig.neck.received.slice(-5))}`,
    (resolve) => {
      const check = () => {
        if (count(rig.neck.received, line) >= times) resolve(undefined);
      };
      const stop = rig.neck.onReceived(check);
      check();
      return stop;
    },
  );
}

/**
 * Sends a HEALTH and waits until the neck has read it: every line the agent wrote before has then crossed the
 * PTY (an ack `written` can come before the bytes arrive). Counts HEALTHs, since the agent's own came earlier.
 */
export async function fence(rig: Rig): Promise<void> {
  const healths = count(rig.neck.received, 'HEALTH');
  const { ack } = await rig.ui.sendCommand('HEALTH', { via: 'neck_command' });
  if (ack.status !== 'written') throw new Error(`the fence's HEALTH was ${ack.status}`);
  await untilCount(rig, 'HEALTH', healths + 1);
}
