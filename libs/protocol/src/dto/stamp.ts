import { IsInt, IsNumber, IsOptional, Min } from 'class-validator';

/**
 * What an operator's client adds to each command so that a neck can tell a late one: its own clock and a
 * sequence number. Clocks are never compared across machines; a neck compares each sender with itself.
 */
export class CommandStampDto {
  /** When the client sent the command: ms on the client's own clock (Date.now(); never compared across machines). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  sentAt?: number;

  /** The client's count of commands sent, from 1. */
  @IsOptional()
  @IsInt()
  @Min(0)
  seq?: number;
}
