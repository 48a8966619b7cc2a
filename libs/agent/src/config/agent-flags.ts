/** What neck-agent's command line can set (see the README's agent section); each overrides the saved config. */
export interface AgentFlags {
  serverUrl?: string;
  /** A copy of the hub's https-ca.pem to trust (`--hub-ca`), for a hub that makes its own certificate. */
  hubCa?: string;
  uuid?: string;
  serial?: string;
  baud?: number;
  simulate?: boolean;
  configDir?: string;
  /** `--record on|off`: record sessions as MCAP (default on). */
  record?: 'on' | 'off';
}
