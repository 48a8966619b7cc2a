/** What neck-agent's command line can set (see the README's agent section); each overrides the saved config. */
export interface AgentFlags {
  serverUrl?: string;
  uuid?: string;
  serial?: string;
  baud?: number;
  simulate?: boolean;
  configDir?: string;
}
