import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { MAX_ID_LENGTH, MAX_MESSAGE_LENGTH, MAX_UUID_LENGTH } from './payload-limits';
import { CommandStampDto } from './stamp';
import { HubStampDto } from './timeline.dto';

/** peer → hub `broadcast-message`: everyone else receives it as `peer-message`. */
export class BroadcastMessageDto extends CommandStampDto {
  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;
}

/** peer → hub `peer-message`: delivered to the peer whose sid is `target`. */
export class PeerMessageRequestDto extends CommandStampDto {
  @IsString()
  @Length(1, 64)
  target!: string;

  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;
}

/** hub → peer `peer-message`: `peerId` is the sender's sid, `uuid` its uuid; the sender's stamp passes through. */
export class PeerMessageDeliveryDto extends CommandStampDto {
  @IsString()
  peerId!: string;

  /** The sender's uuid (set by the hub; the original hub did not send it). */
  @IsOptional()
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  uuid?: string;

  @IsString()
  @MaxLength(MAX_MESSAGE_LENGTH)
  message!: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;

  /** The relaying hub's stamp (as on neck_command); a neck echoes it in its ack for the command's timeline. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => HubStampDto)
  hub?: HubStampDto;
}

export const HUB_ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNKNOWN_TARGET',
  'NO_NECK',
  'RATE_LIMITED',
  'FORBIDDEN',
  'INTERNAL_ERROR',
  'TOKEN_EXPIRED',
  'REVOKED',
] as const;
export type HubErrorCode = (typeof HUB_ERROR_CODES)[number];

/** hub → sender `error-message`: what went wrong with something the sender emitted. */
export class ErrorMessageDto {
  @IsIn(HUB_ERROR_CODES)
  code!: HubErrorCode;

  @IsString()
  message!: string;

  /** The `id` of the broadcast-message, peer-message or neck_command this answers; absent when it carried none. */
  @IsOptional()
  @IsString()
  @Length(1, MAX_ID_LENGTH)
  id?: string;
}
