import {
  ControlStatusDto,
  NeckAckDeliveryDto,
  NeckStatusDeliveryDto,
  NeckStatusDto,
  PeerInfoDto,
  describeTimeline,
  formatHeadPose,
} from '@neck-signal/protocol';

/**
 * How a peer is named on screen: its uuid and roles, e.g. `pi4-neck-3f2a (neck)`, marked `← you` when it has
 * `me`'s uuid (your REPL seen from `neck peers`).
 */
export function describePeer(peer: PeerInfoDto, me?: string): string {
  return `${peer.uuid} (${peer.roles.join(', ') || 'no role'})${peer.uuid === me ? '  ← you' : ''}`;
}

/** `you` for `me`'s uuid, else the uuid. */
export function youOr(uuid: string, me: string | undefined): string {
  return uuid === me ? 'you' : uuid;
}

export function isNeck(peer: PeerInfoDto): boolean {
  return peer.roles.includes('neck');
}

/**
 * One ack as the REPL and `neck send` print it, with where its time went when the neck says (each hop on its own
 * clock), e.g. `ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in 12 ms (hub 1, link 4, agent 2, queue 0, wire 3) from neck
 * 3f2a-…` or `ack rejected X50 in 3 ms (agent 0.1, queue 0) from neck 3f2a-…: the neck is not connected (…)
 * [PORT_DOWN]`; the original Python agent reports no timeline: `ack written X50 in 12 ms from neck …`.
 */
export function formatAck(ack: NeckAckDeliveryDto, neck: string, roundTripMs?: number): string {
  const time = roundTripMs === undefined ? '' : ` in ${Math.max(0, Math.round(roundTripMs))} ms`;
  const hops = ack.timeline === undefined ? '' : ` (${describeTimeline(ack.timeline)})`;
  const head = `ack ${ack.status} ${ack.command}${time}${hops} from neck ${neck}`;
  if (ack.status !== 'rejected' && ack.status !== 'stale') return head;
  return ack.error ? `${head}: ${ack.error.message} [${ack.error.code}]` : `${head}: no reason given`;
}

/** A neck's serial state, e.g. `serial open on /dev/ttyUSB0 at 115200 baud` or `serial down: unplugged`. */
export function describeSerial(status: NeckStatusDto): string {
  const { serial } = status;
  if (serial.state === 'open') return `serial open on ${serial.path ?? '?'} at ${serial.baud} baud`;
  return `serial down${serial.error ? `: ${serial.error}` : ''}`;
}

/**
 * What the neck's firmware is doing, e.g. `firmware ready`, `firmware homing (commands wait; poses collapse to
 * the newest)` or `firmware booting (legacy: answers no HEALTH)`.
 */
export function describeFirmwareState(status: NeckStatusDto): string {
  const { state, answersHealth } = status.firmware;
  const waiting =
    state === 'booting' || state === 'homing' ? ' (commands wait until it reads; poses collapse to the newest)' : '';
  const legacy = answersHealth === false ? ', legacy firmware: answers no HEALTH' : '';
  return `firmware ${state}${waiting}${legacy}`;
}

/**
 * Who may move a neck, e.g. `control free`, `control held by alice`, `you hold control` or
 * `STOPPED by bob: no motion until RELEASE` (`STOPPED by you` when `me` pressed it).
 */
export function describeControl(control: ControlStatusDto, me?: string): string {
  if (control.stopped) return `STOPPED by ${youOr(control.stoppedBy ?? '?', me)}: no motion until RELEASE`;
  if (control.holder === null) return 'control free';
  if (me !== undefined && control.holder.uuid === me) return 'you hold control';
  return `control held by ${control.holder.uuid}`;
}

/** One neck of `neck status`. */
export function describeNeckStatus(status: NeckStatusDeliveryDto, me?: string): string[] {
  const lines = [
    `neck ${status.uuid}: ${describeSerial(status)}`,
    `  ${describeFirmwareState(status)}`,
    `  ${describeControl(status.control, me)}`,
  ];
  lines.push(`  pose ${status.pose ? formatHeadPose(status.pose) : 'unknown (not homed yet)'}`);
  if (status.actuatorsMm) lines.push(`  actuators ${status.actuatorsMm.map((mm) => `${round(mm)} mm`).join(', ')}`);
  lines.push(`  queue ${status.queueDepth} waiting`);
  const health = status.health;
  lines.push(
    health
      ? `  firmware ${health.device}/${health.role}, protocol ${health.proto ?? '?'}, ${health.motors ?? '?'} motors; ${describeBoardUptime(health.uptimeMs)}`
      : '  firmware has not answered HEALTH yet',
  );
  return lines;
}

/** The firmware's UPTIME_MS, said as the board's (the hub's own uptime is on the `hub …` line). */
function describeBoardUptime(uptimeMs: number | null): string {
  if (uptimeMs === null) return "the board's uptime is unknown (its HEALTH has no UPTIME_MS)";
  return `board up ${Math.round(uptimeMs / 1000)} s since its last reset`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
