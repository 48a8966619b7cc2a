import type { TunnelStatusDto } from '@neck-signal/protocol';

export type { TunnelState } from '@neck-signal/protocol';
/** The tunnel as `GET /` reports it (TunnelStatusDto in libs/protocol). */
export type TunnelStatus = Readonly<TunnelStatusDto>;
