import { Injectable } from '@nestjs/common';
import { extname, join } from 'node:path';
import type * as HubApp from '../../hub/src/hub.app';
import type * as HubConfigFile from '../../hub/src/config/hub-config-file';
import type * as HubConfigStore from '../../hub/src/config/hub-config.store';
import type * as HubSettingsLoader from '../../hub/src/config/load-hub-settings';
import type * as AgentConfigFile from '../../neck-agent/src/config/agent-config-file';
import type * as AgentSettingsLoader from '../../neck-agent/src/config/load-agent-settings';
import type * as Agent from '../../neck-agent/src/neck-agent';

type App = 'hub' | 'neck-agent';

/**
 * The hub and the agent, for `neck demo` and `neck setup hub|agent`, loaded when first used so the other
 * commands never pay for them. A plain relative import would not do: tsc keeps import paths as written, and
 * apps/hub/src/x.ts is built to dist/apps/hub/x.js, so the path differs between the sources and the build.
 */
@Injectable()
export class SiblingApps {
  get hubApp(): typeof HubApp {
    return load('hub', 'hub.app');
  }

  get hubSettings(): typeof HubSettingsLoader {
    return load('hub', 'config/load-hub-settings');
  }

  get hubConfigFile(): typeof HubConfigFile & typeof HubConfigStore {
    return {
      ...load<typeof HubConfigFile>('hub', 'config/hub-config-file'),
      ...load<typeof HubConfigStore>('hub', 'config/hub-config.store'),
    };
  }

  get agent(): typeof Agent {
    return load('neck-agent', 'neck-agent');
  }

  get agentSettings(): typeof AgentSettingsLoader & typeof AgentConfigFile {
    return {
      ...load<typeof AgentSettingsLoader>('neck-agent', 'config/load-agent-settings'),
      ...load<typeof AgentConfigFile>('neck-agent', 'config/agent-config-file'),
    };
  }
}

function load<T>(app: App, file: string): T {
  // Built: dist/apps/cli/ → dist/apps/<app>/<file>.js. From sources (ts-jest): apps/cli/src/ → apps/<app>/src/<file>.ts.
  const path =
    extname(__filename) === '.ts' ? join(__dirname, '..', '..', app, 'src', file) : join(__dirname, '..', app, file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is only known at run time (see above)
  return require(path) as T;
}
