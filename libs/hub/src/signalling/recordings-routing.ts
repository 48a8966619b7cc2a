import { Logger } from '@nestjs/common';
import {
  Events,
  PeerInfoDto,
  RecordingsReplyDeliveryDto,
  RecordingsReplyDto,
  RecordingsRequestDto,
} from '@neck-signal/protocol';
import { hubError } from './error-message';
import { HubSocket, isNeck, isObserverOnly } from './hub-socket';

/** What the routing needs from the gateway: a way to reach one peer, and the peer a sid names. */
export interface PeerRoutes {
  peer(sid: string): Pick<HubSocket, 'emit'>;
  requirePeer(sid: string): PeerInfoDto;
}

/**
 * `recordings` and `recordings-reply`: an operator asks one neck for its recordings (the list, or a chunk of one)
 * or sends it a file to replay, chunk by chunk, and the neck answers that operator only. Observers may not ask (a recording holds every command sent); only
 * necks may answer.
 */
export class RecordingsRouting {
  private readonly logger = new Logger(RecordingsRouting.name);

  constructor(private readonly routes: PeerRoutes) {}

  request(socket: HubSocket, body: RecordingsRequestDto): void {
    if (isObserverOnly(socket) || isNeck(socket)) {
      throw hubError('FORBIDDEN', 'only operators (role ui) may list, download or upload recordings');
    }
    const target = this.routes.requirePeer(body.target);
    if (!target.roles.includes('neck')) throw hubError('UNKNOWN_TARGET', `peer ${body.target} is not a neck`);
    if (body.op === 'list' || body.offset === undefined || body.offset === 0) {
      const what = body.op === 'list' ? 'its recordings' : body.op === 'upload' ? 'to store an upload' : body.recording;
      this.logger.log(`${socket.data.uuid} asks ${target.uuid} for ${what}`);
    }
    this.routes.peer(target.id).emit(Events.RecordingsRequest, {
      from: socket.id,
      uuid: socket.data.uuid,
      id: body.id,
      op: body.op,
      ...(body.recording === undefined ? {} : { recording: body.recording }),
      ...(body.offset === undefined ? {} : { offset: body.offset }),
      ...(body.data === undefined ? {} : { data: body.data }),
      ...(body.totalBytes === undefined ? {} : { totalBytes: body.totalBytes }),
    });
  }

  reply(socket: HubSocket, body: RecordingsReplyDto): void {
    if (!isNeck(socket)) throw hubError('FORBIDDEN', 'only necks answer recordings requests');
    const { to, ...answer } = body;
    const delivery: RecordingsReplyDeliveryDto = { ...answer, peerId: socket.id };
    this.routes.peer(to).emit(Events.RecordingsReply, delivery);
  }
}
