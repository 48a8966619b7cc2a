import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** The hub's config file in the config dir. */
export const HUB_CONFIG_FILE = 'hub.json';

/** hub.json in the config dir. Keys are snake_case as in the seed's config.json; all optional. */
export class HubConfigFile {
  @IsOptional() @IsInt() @Min(0) @Max(65535) port?: number;
  @IsOptional() @IsString() host?: string;
  /** '*' or comma-separated origins. */
  @IsOptional() @IsString() cors_origins?: string;
  @IsOptional() @IsString() subdomain?: string;
  @IsOptional() @IsBoolean() tunnel?: boolean;
  @IsOptional() @IsString() tunnel_host?: string;
  /** The public URL the tunnel last got (written by the hub). */
  @IsOptional() @IsString() localtunnel_domain?: string;
  @IsOptional() @IsString() redis_url?: string;
  /** Serve HTTPS with a certificate of the hub's own making (as --https). */
  @IsOptional() @IsBoolean() https?: boolean;
  @IsOptional() @IsInt() @Min(60) token_lifetime_seconds?: number;
  @IsOptional() @IsInt() @Min(1) max_failed_logins?: number;
  @IsOptional() @IsInt() @Min(1) failed_login_window_seconds?: number;
  @IsOptional() @IsInt() @Min(1) max_failed_logins_per_minute?: number;
  @IsOptional() @IsInt() @Min(100) handshake_timeout_ms?: number;
  @IsOptional() @IsInt() @Min(1) max_unauthenticated?: number;
  @IsOptional() @IsInt() @Min(1024) max_payload_bytes?: number;
  @IsOptional() @IsInt() @Min(1) messages_per_second?: number;
  @IsOptional() @IsInt() @Min(1) max_sockets_per_uuid?: number;
  @IsOptional() @IsInt() @Min(1) max_paired_devices?: number;
  @IsOptional() @IsInt() @Min(100) heartbeat_interval_ms?: number;
  @IsOptional() @IsInt() @Min(100) heartbeat_timeout_ms?: number;
  @IsOptional() @IsInt() @Min(1) max_heartbeat_failures?: number;
  @IsOptional() @IsInt() @Min(10) tunnel_retry_min_ms?: number;
  @IsOptional() @IsInt() @Min(10) tunnel_retry_max_ms?: number;
}
