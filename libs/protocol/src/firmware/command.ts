/** Head axes in the order the firmware's full head line uses. */
export const HEAD_AXES = ['X', 'Y', 'Z', 'H', 'S', 'A', 'R', 'P'] as const;
export type HeadAxis = (typeof HEAD_AXES)[number];

/** Axes that take integers; the others (S, A) take decimals. */
export const INTEGER_AXES: ReadonlySet<HeadAxis> = new Set<HeadAxis>(['X', 'Y', 'Z', 'H', 'R', 'P']);

/** Axes a quaternion command may carry after w,x,y,z. */
export const QUATERNION_EXTRA_AXES = ['H', 'S', 'A'] as const;
export type QuaternionExtraAxis = (typeof QUATERNION_EXTRA_AXES)[number];

export const HOME_KEYWORDS = ['HOME', 'HOME_SOFT', 'HOME_BRUTE'] as const;
export type HomeKeyword = (typeof HOME_KEYWORDS)[number];

export const HEALTH_KEYWORDS = ['HEALTH', 'STATUS'] as const;
export type HealthKeyword = (typeof HEALTH_KEYWORDS)[number];

export const ACTUATOR_IDS = [1, 2, 3, 4, 5, 6] as const;
export type ActuatorId = (typeof ACTUATOR_IDS)[number];

/** A full head pose: every axis the firmware's head command sets. */
export type HeadPose = Record<HeadAxis, number>;

/** The pose after any HOME: X0,Y0,Z0,H0,S1,A1,R0,P0. */
export const HOME_POSE: Readonly<HeadPose> = Object.freeze({ X: 0, Y: 0, Z: 0, H: 0, S: 1, A: 1, R: 0, P: 0 });

export interface HomeCommand {
  readonly kind: 'home';
  readonly keyword: HomeKeyword;
}

export interface HealthCommand {
  readonly kind: 'health';
  readonly keyword: HealthKeyword;
}

export interface ActuatorTarget {
  readonly id: ActuatorId;
  /** Target length in mm. */
  readonly mm: number;
}

export interface ActuatorCommand {
  readonly kind: 'actuators';
  /** In the order given; each id at most once. */
  readonly targets: readonly ActuatorTarget[];
}

export interface HeadCommand {
  readonly kind: 'head';
  /** The axes given; the firmware resets the others unless a pose tracker merges them. */
  readonly axes: Readonly<Partial<HeadPose>>;
}

export interface QuaternionCommand {
  readonly kind: 'quaternion';
  readonly w: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly extras: Readonly<Partial<Record<QuaternionExtraAxis, number>>>;
}

export type SimpleCommand = HomeCommand | HealthCommand | ActuatorCommand | HeadCommand | QuaternionCommand;

export interface CompoundCommand {
  readonly kind: 'compound';
  /** Two or more simple commands, run in order. */
  readonly parts: readonly SimpleCommand[];
}

export type NeckCommand = SimpleCommand | CompoundCommand;

/** True for commands that set the head pose (and so may be superseded by a newer pose). */
export function isPoseCommand(command: NeckCommand): boolean {
  return command.kind === 'head' || command.kind === 'quaternion';
}
