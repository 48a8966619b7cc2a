import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import type { TimelineHop } from '../timeline';

/**
 * What a hub adds to a command it relays to a neck, and the neck echoes in its ack: the hub's id and when it
 * received the command on its own monotonic clock. Only the hub that wrote it reads `at` back (clocks of
 * different machines are never compared).
 */
export class HubStampDto {
  @IsString()
  @Length(1, 64)
  hub!: string;

  /** When the hub received the command: ms on that hub's monotonic clock. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  at!: number;

  /** ms from the hub receiving the command to relaying it. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  ms!: number;
}

/**
 * Where a command's time went, each hop a duration in ms measured on its own machine's clock: `hubMs` (the hub,
 * from receiving the command to relaying it), `linkMs` (hub → neck → hub on the network, that is the hub's round
 * trip to the agent less the agent's time; set when the ack passes the hub that relayed the command), `agentMs`
 * (the agent, from receiving the command to sending its ack), of which `queueMs` (waiting for the firmware: boot,
 * HOME, earlier lines), `fenceMs` (of the queue time, waiting behind a fence: HEALTH after HOME) and `wireMs` (from
 * the write to its last byte leaving on the serial line).
 */
export class CommandTimelineDto {
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  hubMs?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  linkMs?: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  agentMs!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  queueMs!: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  fenceMs?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  wireMs?: number;
}

/** One hop over the last commands a hub relayed acks for, in ms. */
export class HopStatsDto {
  @IsInt()
  @Min(0)
  count!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  p50!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  p95!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  max!: number;
}

/** Each hop of the timelines of the last `window` acks a hub relayed (`GET /`, `neck stats`). */
export class TimelineStatsDto implements Partial<Record<TimelineHop, HopStatsDto>> {
  /** How many recent timelines the hub keeps. */
  @IsInt()
  @Min(1)
  window!: number;

  /** Timelines kept (at most `window`). */
  @IsInt()
  @Min(0)
  commands!: number;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) span?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) hub?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) link?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) agent?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) queue?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) fence?: HopStatsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => HopStatsDto) wire?: HopStatsDto;
}
