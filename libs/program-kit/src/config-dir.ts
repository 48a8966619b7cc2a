import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The config directory: `--config-dir`, else `NECK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/neck-signal`,
 * else `~/.config/neck-signal`. It holds hub.json, agent.json, cli.json and .env.
 */
export function resolveConfigDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.NECK_CONFIG_DIR) return resolve(env.NECK_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'neck-signal');
}
