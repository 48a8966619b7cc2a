import { Injectable } from '@nestjs/common';
import type * as Agent from '@neck-signal/agent';
import type * as Hub from '@neck-signal/hub';

/**
 * The hub and agent libraries, for `neck demo` and `neck setup hub|agent`, loaded when first used so the other
 * commands never pay for Nest's HTTP and Socket.IO stack or the serial bindings.
 */
@Injectable()
export class Programs {
  get hub(): typeof Hub {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    return require('@neck-signal/hub') as typeof Hub;
  }

  get agent(): typeof Agent {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
    return require('@neck-signal/agent') as typeof Agent;
  }
}
