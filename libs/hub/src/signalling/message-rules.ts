import {
  BroadcastMessageDto,
  Events,
  NeckAckReportDto,
  NeckCommandRequestDto,
  NeckOutputDto,
  NeckStatusDto,
  PayloadValidator,
  PeerMessageRequestDto,
  RecordingsReplyDto,
  RecordingsRequestDto,
  compileValidator,
} from '@neck-signal/protocol';
import { HubSocket, isNeck, isObserverOnly } from './hub-socket';

/**
 * The events peers send the hub, one entry each: the validator of its payload and who may send it. The gateway
 * reads these tables; adding an event is one entry in each, and the compiler names what is missing. Each payload
 * is checked by a validator compiled once from its DTO (libs/protocol).
 */
export const validators = {
  [Events.BroadcastMessage]: compileValidator(BroadcastMessageDto),
  [Events.PeerMessage]: compileValidator(PeerMessageRequestDto),
  [Events.NeckCommand]: compileValidator(NeckCommandRequestDto),
  [Events.NeckAck]: compileValidator(NeckAckReportDto),
  [Events.NeckStatus]: compileValidator(NeckStatusDto),
  [Events.NeckOutput]: compileValidator(NeckOutputDto),
  [Events.RecordingsRequest]: compileValidator(RecordingsRequestDto),
  [Events.RecordingsReply]: compileValidator(RecordingsReplyDto),
};

const OBSERVERS_SEND_NOTHING = 'observers cannot send messages or commands; log in with role ui';
const ONLY_NECKS = 'only a neck reports acks, status and output; log in with role neck';
const ONLY_OPERATORS = 'only operators (role ui) may list, download or upload recordings';
const ONLY_NECKS_ANSWER = 'only necks answer recordings requests';

/**
 * Who may send each event, as a gate that returns the refusal (FORBIDDEN) or nothing: observers send nothing;
 * what a neck reports comes only from necks and from role-less peers (the original Python agent, filed as a
 * neck when it first acks).
 */
export const senders: { [E in keyof typeof validators]: (socket: HubSocket) => string | undefined } = {
  [Events.BroadcastMessage]: (socket) => (isObserverOnly(socket) ? OBSERVERS_SEND_NOTHING : undefined),
  [Events.PeerMessage]: (socket) => (isObserverOnly(socket) ? OBSERVERS_SEND_NOTHING : undefined),
  [Events.NeckCommand]: (socket) => (isObserverOnly(socket) ? OBSERVERS_SEND_NOTHING : undefined),
  [Events.NeckAck]: neckReport,
  [Events.NeckStatus]: neckReport,
  [Events.NeckOutput]: neckReport,
  [Events.RecordingsRequest]: (socket) => (isObserverOnly(socket) || isNeck(socket) ? ONLY_OPERATORS : undefined),
  [Events.RecordingsReply]: (socket) => (isNeck(socket) ? undefined : ONLY_NECKS_ANSWER),
};

function neckReport(socket: HubSocket): string | undefined {
  if (isNeck(socket) || socket.data.roleless) return undefined;
  return isObserverOnly(socket) ? OBSERVERS_SEND_NOTHING : ONLY_NECKS;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isMessageEvent(event: string): event is keyof typeof validators {
  return Object.prototype.hasOwnProperty.call(validators, event);
}

export type Payloads = {
  [E in keyof typeof validators]: (typeof validators)[E] extends PayloadValidator<infer T> ? T : never;
};
