import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { COMMAND_ERROR_CODES, CommandErrorCode } from '../firmware/errors';
import { FirmwareHealth } from '../firmware/health';
import { HeadPose } from '../firmware/command';
import { MAX_ID_LENGTH, MAX_MESSAGE_LENGTH, MAX_OUTPUT_LINE_LENGTH, MAX_UUID_LENGTH } from './payload-limits';
import { POSE_NAME, RECORDING_ID } from '../motion-commands';
import { CommandStampDto } from './stamp';
import { CommandTimelineDto, HubStampDto } from './timeline.dto';

/** peer → hub `neck_command`: sent to every neck, or to the neck whose sid is `target`. */
export class NeckCommandRequestDto extends CommandStampDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  command!: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;
}

/** hub → neck `neck_command`: `peerId` is the sid of the peer that sent it, `uuid` its uuid; its stamp passes through. */
export class NeckCommandDeliveryDto extends CommandStampDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  command!: string;

  @IsString()
  peerId!: string;

  /** The sender's uuid (set by the hub). */
  @IsOptional()
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  uuid?: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;

  /** The relaying hub's stamp; the neck echoes it in its ack (the original Python agent ignores it). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => HubStampDto)
  hub?: HubStampDto;
}

/**
 * `written`: the line reached the firmware while it was reading; `superseded`: a newer pose replaced it before
 * it was written; `rejected`: never sent (see `error`); `stale`: a pose that arrived much later than its sender's
 * usual delay, dropped; `applied`: a directive to the agent (STOP, RELEASE, TAKE, YIELD) took effect.
 */
export const ACK_STATUSES = ['written', 'superseded', 'rejected', 'stale', 'applied'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/**
 * Why a neck refused a command, besides the grammar's reasons: `PORT_DOWN` (no serial port), `WRITE_FAILED`,
 * `SHUTTING_DOWN`, `QUEUE_FULL` (too many commands held while the firmware homes), `LEGACY_FIRMWARE` (the
 * neck's firmware predates HEALTH, STATUS and HOME_SOFT), `NOT_READY` (still booting: not yet known whether it has
 * them), `CONTROL_HELD` (another operator holds the neck's control), `STOPPED` (someone pressed STOP; RELEASE
 * first), `STALE` (with status `stale`: the pose came too late); for eased moves and replays (GOTO, POSE GO,
 * REPLAY): `MOVE_REPLACED` (with status `superseded`: a newer motion command ended it), `CONTROL_TAKEN` (another
 * operator sent TAKE), `OPERATOR_LEFT` (its operator left the hub), `UNKNOWN_POSE`, `UNKNOWN_RECORDING`.
 */
export const NECK_ERROR_CODES = [
  'PORT_DOWN',
  'WRITE_FAILED',
  'SHUTTING_DOWN',
  'QUEUE_FULL',
  'LEGACY_FIRMWARE',
  'NOT_READY',
  'CONTROL_HELD',
  'STOPPED',
  'STALE',
  'MOVE_REPLACED',
  'CONTROL_TAKEN',
  'UNKNOWN_POSE',
  'UNKNOWN_RECORDING',
  'OPERATOR_LEFT',
] as const;
export type NeckErrorCode = (typeof NECK_ERROR_CODES)[number];

/** Why a command was rejected: a firmware-grammar error or a neck condition such as the port being down. */
export const ACK_ERROR_CODES = [...COMMAND_ERROR_CODES, ...NECK_ERROR_CODES] as const;
export type AckErrorCode = CommandErrorCode | NeckErrorCode;

export class AckErrorDto {
  @IsIn(ACK_ERROR_CODES)
  code!: AckErrorCode;

  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  token?: string;
}

/**
 * neck → hub `neck_ack`. `command` is the exact line written (no newline), or the text as received when it
 * was rejected. `to` is the sid of the peer the command came from; without it (the original Python agent
 * sends only `{command}`) the ack goes to every non-neck peer and `status` is taken as `written`.
 */
export class NeckAckReportDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  command!: string;

  @IsOptional()
  @IsIn(ACK_STATUSES)
  status?: AckStatus;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  to?: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AckErrorDto)
  error?: AckErrorDto;

  /** The hub stamp of the command this answers, echoed. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => HubStampDto)
  hub?: HubStampDto;

  /** The agent's part of the command's timeline (agentMs, queueMs, fenceMs, wireMs). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CommandTimelineDto)
  timeline?: CommandTimelineDto;
}

/** hub → peer `neck_ack`: `peerId` is the sid of the neck that wrote (or refused) the command. */
export class NeckAckDeliveryDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  command!: string;

  @IsIn(ACK_STATUSES)
  status!: AckStatus;

  @IsString()
  peerId!: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AckErrorDto)
  error?: AckErrorDto;

  /** Where the command's time went: the agent's part, with the hub's (hubMs, linkMs) when the hub knows it. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CommandTimelineDto)
  timeline?: CommandTimelineDto;
}

export class HeadPoseDto implements HeadPose {
  @IsNumber({ allowNaN: false, allowInfinity: false }) X!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) Y!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) Z!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) H!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) S!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) A!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) R!: number;
  @IsNumber({ allowNaN: false, allowInfinity: false }) P!: number;
}

export const SERIAL_STATES = ['open', 'down'] as const;
/** `open`: the neck's port is open and writable; `down`: no port (unplugged, not found, or failed). */
export type SerialState = (typeof SERIAL_STATES)[number];

export class SerialStatusDto {
  @IsIn(SERIAL_STATES)
  state!: SerialState;

  /** Device path, e.g. /dev/ttyUSB0; null while none is open. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(256)
  path!: string | null;

  /** Baud rate, e.g. 115200. */
  @IsInt()
  @Min(1)
  baud!: number;

  /** Why the port is down, as a sentence a person can act on. */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  error?: string;
}

export const FIRMWARE_STATES = ['booting', 'homing', 'ready', 'down'] as const;
/**
 * What the firmware is doing, as far as the agent knows: `booting` (port just opened: it resets and homes before
 * it reads), `homing` (a HOME is running; commands are held until it is done), `ready` (reading), `down` (no port).
 */
export type FirmwareState = (typeof FIRMWARE_STATES)[number];

export class FirmwareStatusDto {
  @IsIn(FIRMWARE_STATES)
  state!: FirmwareState;

  /** True when it answers HEALTH, false for firmware before Feb 2026 (legacy), null while not yet known. */
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  answersHealth!: boolean | null;
}

/** The operator holding a neck's control. */
export class ControlHolderDto {
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  uuid!: string;

  /** The sid it last moved the neck from. */
  @IsString()
  @Length(1, 64)
  sid!: string;
}

/**
 * Who may move the neck: one operator at a time holds control (the first to move; it lapses after `leaseMs`
 * without motion or when the holder leaves; TAKE takes it over). STOP holds the neck for everyone until RELEASE.
 */
export class ControlStatusDto {
  @ValidateIf((_, value) => value !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => ControlHolderDto)
  holder!: ControlHolderDto | null;

  /** How long control lasts without motion, ms. */
  @IsInt()
  @Min(0)
  leaseMs!: number;

  /** True between STOP and RELEASE: every motion is refused. */
  @IsBoolean()
  stopped!: boolean;

  /** The uuid of who pressed STOP, while stopped. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  stoppedBy!: string | null;
}

export class FirmwareHealthDto implements FirmwareHealth {
  @IsString() @MaxLength(64) device!: string;
  @IsString() @MaxLength(64) role!: string;
  @ValidateIf((_, v) => v !== null) @IsNumber() proto!: number | null;
  @ValidateIf((_, v) => v !== null) @IsNumber() uptimeMs!: number | null;
  @ValidateIf((_, v) => v !== null) @IsNumber() baud!: number | null;
  @ValidateIf((_, v) => v !== null) @IsString() @MaxLength(64) btName!: string | null;
  @ValidateIf((_, v) => v !== null) @IsNumber() motors!: number | null;
  @ValidateIf((_, v) => v !== null) @IsNumber() speedHz!: number | null;
  @ValidateIf((_, v) => v !== null) @IsNumber() accel!: number | null;
  @IsBoolean() bypassClamp!: boolean;
  @IsObject() fields!: Record<string, string>;
}

/** Named poses listed in `neck_status` at most (the first, by name). */
export const MAX_POSES_LISTED = 100;
/** Where a replay is: `playing`, or how it ended (as its ack said). */
export const REPLAY_STATES = ['playing', 'applied', 'superseded', 'rejected'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

/** The agent's replay under way, or the last one (until the next starts); times on the agent's clock. */
export class ReplayStatusDto {
  @IsString()
  @Matches(RECORDING_ID)
  id!: string;

  /** The uuid of the operator who started it. */
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  by!: string;

  /** How far it got, ms from its start (the lead-in included): the time of the last line written. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  atMs!: number;

  /** Its whole length at the speed asked, ms (the lead-in included). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  totalMs!: number;

  @IsIn(REPLAY_STATES)
  state!: ReplayState;
}

/** neck → hub `neck_status`: sent on every change and periodically. */
export class NeckStatusDto {
  @IsObject()
  @ValidateNested()
  @Type(() => SerialStatusDto)
  serial!: SerialStatusDto;

  @IsObject()
  @ValidateNested()
  @Type(() => FirmwareStatusDto)
  firmware!: FirmwareStatusDto;

  @IsObject()
  @ValidateNested()
  @Type(() => ControlStatusDto)
  control!: ControlStatusDto;

  /** The head pose last written, or null when unknown (before the first HOME). */
  @ValidateIf((_, value) => value !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => HeadPoseDto)
  pose!: HeadPoseDto | null;

  /** Each actuator's target in mm (index 0 is actuator 1), when known. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(6)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  actuatorsMm?: number[];

  /** Commands waiting to be written (held while the firmware boots or homes). */
  @IsInt()
  @Min(0)
  queueDepth!: number;

  /** The firmware's last HEALTH answer, or null when it has not answered. */
  @ValidateIf((_, value) => value !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => FirmwareHealthDto)
  health!: FirmwareHealthDto | null;

  /** The names of the poses the agent keeps (POSE SAVE), sorted (absent from older agents). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_POSES_LISTED)
  @IsString({ each: true })
  @Matches(POSE_NAME, { each: true })
  poses?: string[];

  /** The replay under way, or the last one. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReplayStatusDto)
  replay?: ReplayStatusDto;
}

/** hub → non-neck peers `neck_status`: the neck's report with its sid and uuid. */
export class NeckStatusDeliveryDto extends NeckStatusDto {
  @IsString()
  peerId!: string;

  @IsString()
  @MaxLength(MAX_UUID_LENGTH)
  uuid!: string;
}

/** neck → hub `neck_output`: one line the firmware printed (no newline). */
export class NeckOutputDto {
  @IsString()
  @MaxLength(MAX_OUTPUT_LINE_LENGTH)
  line!: string;
}

/** hub → non-neck peers `neck_output`, with the neck's sid. */
export class NeckOutputDeliveryDto extends NeckOutputDto {
  @IsString()
  peerId!: string;
}
