/** What neck-hub's command line can set (see the README's hub section); each overrides the saved config. */
export interface HubFlags {
  port?: number;
  host?: string;
  subdomain?: string;
  /** False with --no-tunnel. */
  tunnel: boolean;
  tunnelHost?: string;
  cors?: string;
  configDir?: string;
  redis?: string;
  /** Sockets one uuid may hold at once, on every hub (default 16). */
  maxSocketsPerUuid?: number;
  /** Distinct uuids that may hold device keys (default 1000). */
  maxPairedDevices?: number;
  /** Serve HTTPS with a certificate of the hub's own making (--https); the tunnel stays off. */
  https?: boolean;
}
