import { HOME_POSE } from './command';
import { HeadPoseTracker } from './head-pose';
import { parseNeckCommand } from './parse';

function mergeText(tracker: HeadPoseTracker, text: string): string {
  const parsed = parseNeckCommand(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const merged = tracker.merge(parsed.command);
  if (!merged.ok) throw new Error(merged.error.message);
  return merged.line;
}

describe('HeadPoseTracker', () => {
  it('starts at the home pose', () => {
    expect(new HeadPoseTracker().pose).toEqual(HOME_POSE);
  });

  it('merges partial head commands into the full line', () => {
    const tracker = new HeadPoseTracker();
    expect(mergeText(tracker, 'X50')).toBe('X50,Y0,Z0,H0,S1,A1,R0,P0');
    expect(mergeText(tracker, 'y-20')).toBe('X50,Y-20,Z0,H0,S1,A1,R0,P0');
    expect(mergeText(tracker, 'H30,S1.5')).toBe('X50,Y-20,Z0,H30,S1.5,A1,R0,P0');
    expect(tracker.pose).toEqual({ X: 50, Y: -20, Z: 0, H: 30, S: 1.5, A: 1, R: 0, P: 0 });
  });

  it.each(['HOME', 'HOME_SOFT', 'HOME_BRUTE'])('%s resets the pose and is written as is', (keyword) => {
    const tracker = new HeadPoseTracker();
    mergeText(tracker, 'X50,H20');
    expect(mergeText(tracker, keyword.toLowerCase())).toBe(keyword);
    expect(tracker.pose).toEqual(HOME_POSE);
    expect(mergeText(tracker, 'Y5')).toBe('X0,Y5,Z0,H0,S1,A1,R0,P0');
  });

  it('leaves the pose alone for actuator and health commands', () => {
    const tracker = new HeadPoseTracker();
    mergeText(tracker, 'X50');
    expect(mergeText(tracker, '1:55,2:60')).toBe('1:55,2:60');
    expect(mergeText(tracker, 'HEALTH')).toBe('HEALTH');
    expect(tracker.pose.X).toBe(50);
  });

  it('applies a quaternion as yaw, pitch, roll with R and P zeroed and H, S, A given or reset', () => {
    const tracker = new HeadPoseTracker();
    mergeText(tracker, 'X50,R10,H20,S2');
    // 90° about z: yaw 90.
    expect(mergeText(tracker, 'Q:0.7071068,0,0,0.7071068,H30')).toBe('Q:0.707107,0,0,0.707107,H30');
    expect(tracker.pose).toEqual({ X: 90, Y: 0, Z: 0, H: 30, S: 1, A: 1, R: 0, P: 0 });
  });

  it('merges each part of a compound command in order', () => {
    const tracker = new HeadPoseTracker();
    mergeText(tracker, 'X50,Y10');
    expect(mergeText(tracker, 'HOME_SOFT|X10|Y5')).toBe('HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0|X10,Y5,Z0,H0,S1,A1,R0,P0');
    expect(tracker.pose).toEqual({ ...HOME_POSE, X: 10, Y: 5 });
  });

  it('refuses a merge whose line would be too long, and keeps the pose', () => {
    const tracker = new HeadPoseTracker();
    mergeText(tracker, 'X-700,Y-700,Z-700,H70,S4.123456,A9.123456,R-700');
    const parsed = parseNeckCommand('X1|X2|X3|X4');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const before = tracker.pose;
    const merged = tracker.merge(parsed.command);
    expect(merged.ok).toBe(false);
    expect(merged.ok ? '' : merged.error.message).toMatch(/would be \d+ characters; the firmware takes at most 128/);
    expect(tracker.pose).toEqual(before);
  });

  it('reset() returns to home, and pose is a copy', () => {
    const tracker = new HeadPoseTracker({ ...HOME_POSE, X: 3 });
    const pose = tracker.pose as { X: number };
    pose.X = 99;
    expect(tracker.pose.X).toBe(3);
    tracker.reset();
    expect(tracker.pose).toEqual(HOME_POSE);
  });
});
