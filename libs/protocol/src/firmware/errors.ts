export const COMMAND_ERROR_CODES = [
  'NOT_TEXT',
  'EMPTY',
  'TOO_LONG',
  'NON_ASCII',
  'CONTROL_CHARACTER',
  'TOO_MANY_PARTS',
  'UNKNOWN_COMMAND',
  'UNKNOWN_AXIS',
  'NOT_A_NUMBER',
  'NOT_AN_INTEGER',
  'OUT_OF_RANGE',
  'DUPLICATE_AXIS',
  'MIXED_FORMS',
  'BAD_ACTUATOR',
  'QUATERNION_ARITY',
  'QUATERNION_ZERO',
  'QUATERNION_PITCH',
  'QUATERNION_EXTRAS',
] as const;

export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** Why a command was refused. `token` is the offending part of the input, when there is one. */
export interface CommandError {
  readonly code: CommandErrorCode;
  readonly message: string;
  readonly token?: string;
}
