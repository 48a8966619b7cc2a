/** Start a hub: `loadHubSettings(flags, context)` then `startHub(settings)`. */
export * from './hub.app';
export * from './config/hub-flags';
export * from './config/hub-settings';
export * from './config/load-hub-settings';
/** hub.json: its shape and where it lives (for `neck setup hub`). */
export * from './config/hub-config-file';
export * from './config/hub-config.store';
/** For tests and services that build a hub's parts themselves. */
export * from './config/hub-config.module';
export * from './tunnel/tunnel.module';
export * from './tunnel/tunnel.service';
export * from './tunnel/tunnel.types';
