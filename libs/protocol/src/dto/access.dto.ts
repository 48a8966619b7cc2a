import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_UUID_LENGTH } from './payload-limits';
import { ROLES, type Role } from './peer.dto';

/** peer → hub `renew-token`: a fresh token (from `POST /login`) for this connection, before the old one expires. */
export class RenewTokenDto {
  @IsString()
  @Length(1, 4096)
  token!: string;
}

/** hub → peer, the ack of `renew-token`: the connection now lasts `expiresIn` seconds, or why not. */
export class RenewTokenResultDto {
  @IsBoolean()
  ok!: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  expiresIn?: number;

  @IsOptional()
  @IsString()
  reason?: string;
}

/** A paired device, as `GET /devices` lists it (never its keys). */
export class DeviceDto {
  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  uuid!: string;

  @IsIn(ROLES)
  role!: Role;

  /** Keys it holds (one per pairing: a web page per browser tab). */
  @IsInt()
  @Min(1)
  keys!: number;

  @IsISO8601()
  pairedAt!: string;

  /** When a key of it last logged in, or null. */
  @ValidateIf((_, value) => value !== null)
  @IsISO8601()
  lastUsedAt!: string | null;
}

/** `GET /devices`. */
export class DevicesDto {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DeviceDto)
  devices!: DeviceDto[];
}

/** `DELETE /devices/:uuid` and `DELETE /devices`: how many keys were revoked and how many sockets dropped here. */
export class RevokedDto {
  @IsInt()
  @Min(0)
  keys!: number;

  @IsInt()
  @Min(0)
  sockets!: number;
}
