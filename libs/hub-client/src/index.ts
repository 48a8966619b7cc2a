export {
  HubClient,
  type HubClientLifecycleEvents,
  type DeviceKeyStore,
  type HubClientOptions,
  type HubTrust,
  type LoginRetryInfo,
  type ReloginInfo,
  type SendCommandOptions,
} from './hub-client';
export {
  CommandTracker,
  type CommandAck,
  type CommandResult,
  type CommandTrackerOptions,
  type SentCommand,
  type OtherAck,
  type TrackOptions,
  type TrackedAck,
} from './command-tracker';
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
export { guardInput, type RefusedInput } from './input-guard';
export { RecordingsError, RecordingsRequester, type DownloadProgress, type RecordingsList } from './recordings';
