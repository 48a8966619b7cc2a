import { DynamicModule, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NeckAgent } from './neck-agent';

/** Starts the agent with the application and stops it (port and socket closed) on shutdown. */
@Injectable()
class AgentLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly agent: NeckAgent) {}

  onApplicationBootstrap(): void {
    this.agent.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.agent.stop();
  }
}

@Module({})
export class AgentModule {
  static forRoot(agent: NeckAgent): DynamicModule {
    return {
      module: AgentModule,
      providers: [{ provide: NeckAgent, useValue: agent }, AgentLifecycle],
      exports: [NeckAgent],
    };
  }
}
