/** Start an agent: `loadAgentSettings(flags, context)`, `new NeckAgent(settings)`, `start()`. */
export * from './neck-agent';
export * from './agent.module';
export * from './config/agent-flags';
export * from './config/agent-settings';
export * from './config/load-agent-settings';
/** agent.json: its shape (for `neck setup agent`). */
export * from './config/agent-config-file';
/** How the agent paces itself to the firmware, and where serial ports come from (tests swap them). */
export * from './firmware/firmware-session';
export * from './serial/port-discovery';
/** One operator at a time, and no stale motion. */
export * from './control/control-lease';
export * from './control/freshness';
/** Whether a file is a recording a replay can play (the CLI checks a file before sending it). */
export * from './recording/recording-check';
