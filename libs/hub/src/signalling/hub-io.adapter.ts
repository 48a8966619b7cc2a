import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { HubSettings } from '../config/hub-settings';

/** Socket.IO server options from the settings: CORS origins, payload cap, optional Redis adapter. */
export class HubIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly settings: HubSettings,
    private readonly adapter?: ServerOptions['adapter'],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: this.settings.socket.maxPayloadBytes,
      cors: { origin: corsOrigin(this.settings.corsOrigins), credentials: true },
      ...(this.adapter ? { adapter: this.adapter } : {}),
    }) as Server;
    return server;
  }
}

/** '*' reflects any origin (credentials allowed); a list allows exactly those origins. */
export function corsOrigin(origins: HubSettings['corsOrigins']): boolean | string[] {
  return origins === '*' ? true : origins;
}
