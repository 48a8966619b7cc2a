import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Equals,
  IsOptional,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsString,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { NeckStatusDeliveryDto } from './neck.dto';
import { PeerInfoDto } from './peer.dto';
import { TimelineStatsDto } from './timeline.dto';

export const TUNNEL_STATES = ['disabled', 'opening', 'open', 'down'] as const;
/** `disabled`: --no-tunnel; `opening`: asking the tunnel server; `open`: public URL answering; `down`: waiting to retry. */
export type TunnelState = (typeof TUNNEL_STATES)[number];

/** The hub's LocalTunnel, in `GET /`. */
export class TunnelStatusDto {
  @IsIn(TUNNEL_STATES)
  state!: TunnelState;

  /** The public URL while open (and the last one while down), else null. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2048)
  url!: string | null;

  /** Failed heartbeats or openings in a row. */
  @IsInt()
  @Min(0)
  consecutiveFailures!: number;

  /** The last error, as a sentence; null when none. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  lastError!: string | null;

  /**
   * The tunnel password the tunnel server's reminder page asks browsers for (the public IP of the hub's machine),
   * "unknown" when the server would not tell; only in the answer to an operator (`Authorization: Bearer` of role
   * ui), and only once a tunnel opened. See docs/tunnel.md.
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  password?: string;
}

export const REDIS_STATES = ['up', 'down'] as const;
/** `up`: every Redis client of the hub is connected; `down`: one is not (it keeps retrying). */
export type RedisState = (typeof REDIS_STATES)[number];

/** The hub's link to Redis (with --redis), in `GET /`. */
export class RedisStatusDto {
  @IsIn(REDIS_STATES)
  state!: RedisState;

  /** Since when it is in this state, ISO 8601. */
  @IsISO8601()
  since!: string;

  /** The last Redis error, as a sentence; null when none. */
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(1024)
  lastError!: string | null;
}

/** One neck in `GET /`: its last `neck_status`, and when it came. */
export class NeckHealthDto extends NeckStatusDeliveryDto {
  /** When the neck last reported, ISO 8601. */
  @IsISO8601()
  updatedAt!: string;
}

/** `GET /` of a hub (JSON): what a client or a monitor reads to know the hub and its necks are well. */
export class HubHealthDto {
  @Equals('ok')
  status!: 'ok';

  /** neck-signal's version, e.g. 0.1.0. */
  @IsString()
  @MaxLength(64)
  version!: string;

  /** Seconds since the hub started. */
  @IsInt()
  @Min(0)
  uptimeSeconds!: number;

  /** Peers connected (across every hub sharing Redis). */
  @IsInt()
  @Min(0)
  peers!: number;

  /** Connections to this hub that have not authenticated yet (closed after a few seconds). */
  @IsOptional()
  @IsInt()
  @Min(0)
  unauthenticated?: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => NeckHealthDto)
  necks!: NeckHealthDto[];

  /** Necks that report no status (the original Python agent, once it has answered a command). */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PeerInfoDto)
  quietNecks?: PeerInfoDto[];

  @IsObject()
  @ValidateNested()
  @Type(() => TunnelStatusDto)
  tunnel!: TunnelStatusDto;

  /**
   * The hub's link to Redis, with --redis (absent without). While `down` the hub serves its own peers only: see
   * docs/security.md for what degrades.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RedisStatusDto)
  redis?: RedisStatusDto;

  /** Where the time of the last commands went, per hop (this hub's relays). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TimelineStatsDto)
  timeline?: TimelineStatsDto;
}
