/** `disabled`: --no-tunnel; `opening`: asking the tunnel server; `open`: public URL answering; `down`: waiting to retry. */
export type TunnelState = 'disabled' | 'opening' | 'open' | 'down';

export interface TunnelStatus {
  readonly state: TunnelState;
  /** The public URL while open (and the last one while down), else null. */
  readonly url: string | null;
  /** Failed heartbeats in a row. */
  readonly consecutiveFailures: number;
  /** The last error, as a sentence; null when none. */
  readonly lastError: string | null;
}
