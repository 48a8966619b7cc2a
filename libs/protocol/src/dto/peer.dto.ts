import { ArrayMaxSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
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
