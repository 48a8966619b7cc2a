import { HomeKeyword } from '@neck-signal/protocol';

/** The two homing sequences the firmware runs; `HOME` is `HOME_BRUTE`. */
export type HomingKind = Exclude<HomeKeyword, 'HOME'>;

/**
 * One move of a homing sequence: all actuators to `heightMm` (negative: past the end stop, unclamped), at
 * `speed` × 48000 Hz and `accel` × 36000 steps/s², then `settleMs` of waiting, a software zero, and `pauseMs`.
 */
export interface HomingMove {
  readonly heightMm: number;
  readonly speed: number;
  readonly accel: number;
  readonly settleMs: number;
  readonly pauseMs: number;
}

/** The firmware's homing tuning: HOME_BRUTE takes 2.3 s + 0.15 s + 2.6 s, HOME_SOFT 2.2 s. */
export const HOMING_SEQUENCES: Readonly<Record<HomingKind, readonly HomingMove[]>> = Object.freeze({
  HOME_BRUTE: Object.freeze([
    { heightMm: -55, speed: 2.5, accel: 2.5, settleMs: 2300, pauseMs: 150 },
    { heightMm: -80, speed: 3, accel: 3, settleMs: 2600, pauseMs: 0 },
  ]),
  HOME_SOFT: Object.freeze([{ heightMm: -40, speed: 2, accel: 2, settleMs: 2200, pauseMs: 0 }]),
});

/** How long a homing sequence blocks the firmware, in ms, before any scaling (5050 for HOME_BRUTE, 2200 for HOME_SOFT). */
export function homingDurationMs(kind: HomingKind): number {
  return HOMING_SEQUENCES[kind].reduce((total, move) => total + move.settleMs + move.pauseMs, 0);
}
