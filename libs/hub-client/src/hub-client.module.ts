import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HubClient, type HubClientOptions } from './hub-client';

/** Options computed by a factory, e.g. from the app's validated config. */
export interface HubClientModuleFactory {
  /** Modules exporting what `inject` names. */
  imports?: ModuleMetadata['imports'];
  useFactory: FactoryProvider<HubClientOptions>['useFactory'];
  inject?: FactoryProvider['inject'];
}

/** Injection token of the options the HubClient was built from. */
export const HUB_CLIENT_OPTIONS = Symbol('HUB_CLIENT_OPTIONS');

/** Closes the client when the module is destroyed (app.close(), SIGTERM with shutdown hooks). */
@Injectable()
class HubClientCloser implements OnModuleDestroy {
  constructor(@Inject(HubClient) private readonly client: HubClient) {}

  onModuleDestroy(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Provides a HubClient to a Nest app. It does not connect by itself: call `connect()` when the app is ready
 * (e.g. in onApplicationBootstrap) and subscribe to its lifecycle events for logging.
 *
 *     HubClientModule.forRoot({ url, password, role: 'neck' })
 *     HubClientModule.forRoot({ imports: [ConfigModule], inject: [AgentConfig], useFactory: (c: AgentConfig) => ({…}) })
 */
@Module({})
export class HubClientModule {
  static forRoot(options: HubClientOptions | HubClientModuleFactory): DynamicModule {
    const optionsProvider: FactoryProvider<HubClientOptions> =
      'useFactory' in options
        ? { provide: HUB_CLIENT_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }
        : { provide: HUB_CLIENT_OPTIONS, useFactory: () => options, inject: [] };
    return {
      module: HubClientModule,
      imports: 'useFactory' in options ? (options.imports ?? []) : [],
      providers: [
        optionsProvider,
        {
          provide: HubClient,
          useFactory: (clientOptions: HubClientOptions) => new HubClient(clientOptions),
          inject: [HUB_CLIENT_OPTIONS],
        },
        HubClientCloser,
      ],
      exports: [HubClient, HUB_CLIENT_OPTIONS],
    };
  }
}
