import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Min } from 'class-validator';

/** The agent's config file in the config dir. */
export const AGENT_CONFIG_FILE = 'agent.json';

/** agent.json in the config dir (snake_case, all optional). */
export class AgentConfigFile {
  @IsOptional() @IsString() server_url?: string;
  /** A copy of the hub's https-ca.pem, for a hub that makes its own certificate (relative to the config dir). */
  @IsOptional() @IsString() hub_ca?: string;
  @IsOptional() @IsString() uuid?: string;
  @IsOptional() @IsString() serial?: string;
  @IsOptional() @IsInt() @Min(50) baud?: number;
  @IsOptional() @IsBoolean() simulate?: boolean;
  @IsOptional() @IsArray() @IsString({ each: true }) serial_candidates?: string[];
  /** Narrower ranges than the firmware's, e.g. {"X": {"min": -300, "max": 300}}. */
  @IsOptional() @IsObject() limits?: Record<string, unknown>;
  @IsOptional() @IsInt() @Min(100) status_interval_ms?: number;
  @IsOptional() @IsInt() @Min(10) serial_retry_ms?: number;
  @IsOptional() @IsInt() @Min(100) probe_timeout_ms?: number;
  @IsOptional() @IsInt() @Min(10) login_retry_ms?: number;
  /** Silence after the port opens before the first HEALTH (the board resets and boots), ms. */
  @IsOptional() @IsInt() @Min(0) firmware_boot_ms?: number;
  /** How much longer than the known homing time to wait for a HEALTH answer, ms. */
  @IsOptional() @IsInt() @Min(0) firmware_answer_margin_ms?: number;
  /** On firmware that never answers HEALTH, how much longer than the known homing time to wait, ms. */
  @IsOptional() @IsInt() @Min(0) firmware_legacy_margin_ms?: number;
  /** How long an operator's control lasts without motion, ms. */
  @IsOptional() @IsInt() @Min(100) control_lease_ms?: number;
  /** A pose later than its sender's usual delay by more than this is dropped, ms. */
  @IsOptional() @IsInt() @Min(20) stale_after_ms?: number;
  /** Record each session as MCAP under recordings/ ("on", the default, or "off"). */
  @IsOptional() @IsIn(['on', 'off']) record?: 'on' | 'off';
  /** All recordings together stay under this many MB; the oldest are deleted first. Default 1024. */
  @IsOptional() @IsInt() @Min(1) record_budget_mb?: number;
}
