// Compiled by `npm run typecheck`: the client's handlers and emits follow libs/protocol's event maps.
import { expectTypeOf } from 'expect-type';
import { Events, type NeckAckDeliveryDto, type PeerInfoDto, type PeerMessageDeliveryDto } from '@neck-signal/protocol';
import { HubClient, type CommandResult, type LoginRetryInfo } from '../src';

declare const client: HubClient;

client.on(Events.ExistingPeers, (peers) => expectTypeOf(peers).toEqualTypeOf<PeerInfoDto[]>());
client.on(Events.PeerDisconnect, (sid) => expectTypeOf(sid).toBeString());
client.on(Events.PeerMessage, (message) => expectTypeOf(message).toEqualTypeOf<PeerMessageDeliveryDto>());
client.on(Events.NeckAck, (ack) => expectTypeOf(ack).toEqualTypeOf<NeckAckDeliveryDto>());
expectTypeOf(client.on(Events.NewPeer, () => undefined)).toEqualTypeOf<() => void>();

expectTypeOf(client.emit(Events.BroadcastMessage, { message: 'HOME', id: 'c1' })).toEqualTypeOf<boolean>();
client.emit(Events.NeckAck, { command: 'X30', status: 'written', to: 'sid' });
client.emit(Events.NeckOutput, { line: 'Executing HOME_BRUTE command...' });

client.onLifecycle('connected', (sid) => expectTypeOf(sid).toBeString());
client.onLifecycle('login-retry', (info) => expectTypeOf(info).toEqualTypeOf<LoginRetryInfo>());
expectTypeOf(client.sendCommand('X30')).resolves.toEqualTypeOf<CommandResult>();
expectTypeOf(client.peers()).toEqualTypeOf<PeerInfoDto[]>();
expectTypeOf(client.uuid).toEqualTypeOf<string | undefined>();

// @ts-expect-error existing-peers is hub → peer only
client.emit(Events.ExistingPeers, []);
// @ts-expect-error broadcast-message needs a message
client.emit(Events.BroadcastMessage, { id: 'c1' });
// @ts-expect-error neck_ack status is written | superseded | rejected
client.emit(Events.NeckAck, { command: 'X30', status: 'done' });
// @ts-expect-error broadcast-message is peer → hub only
client.on(Events.BroadcastMessage, () => undefined);
// @ts-expect-error peer-disconnect carries a sid string
client.on(Events.PeerDisconnect, (sid: number) => sid);
// @ts-expect-error no such lifecycle event
client.onLifecycle('ready', () => undefined);
// @ts-expect-error via is broadcast | neck_command
void client.sendCommand('X30', { via: 'peer-message' });
