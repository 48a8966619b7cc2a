import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBase64,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { RECORDING_ID } from '../motion-commands';
import { MAX_ID_LENGTH, MAX_MESSAGE_LENGTH, MAX_UUID_LENGTH } from './payload-limits';

/** Bytes of a recording in one `recordings-reply` (base64 keeps the reply under the hub's 16 KB payload cap). */
export const RECORDING_CHUNK_BYTES = 8 * 1024;
/** Recordings listed at most in one reply (the newest). */
export const MAX_RECORDINGS_LISTED = 60;
/** Largest recording an operator may upload for replay, bytes (the agent holds one upload at a time). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
/** What may be asked of a neck's recordings: the list, a chunk of one, or a chunk of a file sent to it. */
export const RECORDING_OPS = ['list', 'get', 'upload'] as const;
export type RecordingOp = (typeof RECORDING_OPS)[number];
/**
 * Why a neck could not answer: no such recording, an offset past its end (or out of step, for an upload),
 * recording off, a read that failed, an uploaded file that is no recording of ours or too large.
 */
export const RECORDING_ERROR_CODES = [
  'UNKNOWN_RECORDING',
  'BAD_OFFSET',
  'RECORDING_OFF',
  'READ_FAILED',
  'BAD_UPLOAD',
  'TOO_LARGE',
] as const;
export type RecordingErrorCode = (typeof RECORDING_ERROR_CODES)[number];

/** What an operator asks a neck about its recordings: the part the hub relays as it is. */
export class RecordingsAskDto {
  /** The asker's correlation id, echoed in the reply. */
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id!: string;

  @IsIn(RECORDING_OPS)
  op!: RecordingOp;

  /** For `get`: the recording's id (its file name without .mcap); for `upload`: the upload's name, in each chunk. */
  @IsOptional()
  @IsString()
  @Matches(RECORDING_ID)
  recording?: string;

  /** For `get` and `upload`: where the chunk starts, bytes. Default 0. */
  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  /** For `upload`: the chunk (base64, at most RECORDING_CHUNK_BYTES). */
  @IsOptional()
  @IsString()
  @IsBase64()
  @MaxLength(Math.ceil(RECORDING_CHUNK_BYTES / 3) * 4)
  data?: string;

  /** For `upload`: the whole file's size, bytes (at most MAX_UPLOAD_BYTES); the last chunk ends there. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_UPLOAD_BYTES)
  totalBytes?: number;
}

/** peer → hub `recordings`: operators only; relayed to the neck whose sid is `target`. */
export class RecordingsRequestDto extends RecordingsAskDto {
  @IsString()
  @Length(1, 64)
  target!: string;
}

/** hub → neck `recordings`: the request, with the asker's sid (`from`) and uuid. */
export class RecordingsRequestDeliveryDto extends RecordingsAskDto {
  @IsString()
  from!: string;

  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  uuid!: string;
}

/** One recording on a neck. */
export class RecordingInfoDto {
  @IsString()
  @Matches(RECORDING_ID)
  id!: string;

  /** When it started (ISO 8601, the agent's clock). */
  @IsISO8601()
  startedAt!: string;

  /** From its first message to its last, ms. */
  @IsNumber()
  @Min(0)
  durationMs!: number;

  /** Commands received. */
  @IsInt()
  @Min(0)
  commands!: number;

  @IsInt()
  @Min(0)
  sizeBytes!: number;

  /** False for the file being written, or one a crash cut short (readable up to its last chunk). */
  @IsBoolean()
  complete!: boolean;

  /** The file being written now. */
  @IsBoolean()
  current!: boolean;
}

export class RecordingChunkDto {
  @IsInt()
  @Min(0)
  offset!: number;

  /** The file's size when the download started (a file being written grows; the copy stops there). */
  @IsInt()
  @Min(0)
  totalBytes!: number;

  @IsString()
  @IsBase64()
  @MaxLength(Math.ceil(RECORDING_CHUNK_BYTES / 3) * 4)
  data!: string;
}

/** How far an upload got: bytes stored so far; `recording` (the id to replay) once the whole file checked out. */
export class RecordingStoredDto {
  @IsInt()
  @Min(0)
  bytes!: number;

  @IsInt()
  @Min(0)
  totalBytes!: number;

  @IsOptional()
  @IsString()
  @Matches(RECORDING_ID)
  recording?: string;
}

export class RecordingErrorDto {
  @IsIn(RECORDING_ERROR_CODES)
  code!: RecordingErrorCode;

  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;
}

/** What a neck answers to `recordings`: an error, the list, a chunk, or how far an upload got. */
class RecordingsAnswerDto {
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id!: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RecordingErrorDto)
  error?: RecordingErrorDto;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RECORDINGS_LISTED)
  @ValidateNested({ each: true })
  @Type(() => RecordingInfoDto)
  list?: RecordingInfoDto[];

  /** Recordings left out of `list` (older ones), when there were more than MAX_RECORDINGS_LISTED. */
  @IsOptional()
  @IsInt()
  @Min(0)
  more?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RecordingChunkDto)
  chunk?: RecordingChunkDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RecordingStoredDto)
  stored?: RecordingStoredDto;
}

/** neck → hub `recordings-reply`: `to` is the sid of the asker. */
export class RecordingsReplyDto extends RecordingsAnswerDto {
  @IsString()
  @Length(1, 64)
  to!: string;
}

/** hub → asker `recordings-reply`: `peerId` is the neck's sid. */
export class RecordingsReplyDeliveryDto extends RecordingsAnswerDto {
  @IsString()
  peerId!: string;
}
