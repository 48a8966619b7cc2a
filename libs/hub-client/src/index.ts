export {
  HubClient,
  type CommandResult,
  type HubClientLifecycleEvents,
  type HubClientOptions,
  type LoginRetryInfo,
  type ReloginInfo,
  type SendCommandOptions,
} from './hub-client';
export {
  AckTimeoutError,
  ClientClosedError,
  HubClientError,
  HubError,
  LoginError,
  NotConnectedError,
  type LoginFailureReason,
} from './errors';
export { requestLogin, type LoginRequestOptions } from './login';
export { TypedEmitter } from './typed-emitter';
