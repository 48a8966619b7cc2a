import { Injectable, Logger } from '@nestjs/common';
import { join } from 'node:path';
import { updateConfigFile } from '@neck-signal/program-kit';
import { HUB_CONFIG_FILE, HubConfigFile } from './hub-config-file';
import { HubSettings } from './hub-settings';

/** Reads and updates hub.json (atomically), keeping keys it does not know. */
@Injectable()
export class HubConfigStore {
  private readonly logger = new Logger(HubConfigStore.name);

  constructor(private readonly settings: HubSettings) {}

  get path(): string {
    return join(this.settings.configDir, HUB_CONFIG_FILE);
  }

  /** Merges the values into hub.json. Failures are logged, never thrown: the hub keeps serving. */
  update(values: Partial<HubConfigFile>): void {
    try {
      updateConfigFile(this.path, values);
    } catch (error) {
      this.logger.warn(`could not update ${this.path}: ${(error as Error).message}`);
    }
  }
}
