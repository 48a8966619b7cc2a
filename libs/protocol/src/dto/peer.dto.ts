import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, Length, Matches, Min } from 'class-validator';
import { MAX_UUID_LENGTH, UUID_PATTERN } from './payload-limits';

export const ROLES = ['ui', 'neck', 'observer'] as const;
/** `ui` sends commands, `neck` drives a neck (the agent), `observer` only watches. */
export type Role = (typeof ROLES)[number];

/** A connected peer, as `existing-peers` and `new-peer` describe it. `id` is its Socket.IO sid. */
export class PeerInfoDto {
  @IsString()
  @Length(1, 64)
  id!: string;

  @IsString()
  @Length(1, MAX_UUID_LENGTH)
  @Matches(UUID_PATTERN)
  uuid!: string;

  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

/**
 * hub → observers `peer-counts`: how many necks, operators (ui) and observers are connected (every hub). Observers
 * are not told of each other one by one; they get these counts instead (at most once a second, when they change).
 */
export class PeerCountsDto {
  @IsInt()
  @Min(0)
  necks!: number;

  @IsInt()
  @Min(0)
  operators!: number;

  @IsInt()
  @Min(0)
  observers!: number;
}
