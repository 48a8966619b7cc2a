/**
 * The channels of a recording, one table: topic, schema name and JSON schema (MCAP `jsonschema` encoding, so
 * that Foxglove shows and plots every field without parsing). `foxglove.Log` is Foxglove's well-known schema
 * for log lines (https://docs.foxglove.dev/docs/visualization/message-schemas/log).
 */
export const RECORDING_CHANNELS = {
  command: {
    topic: '/neck/command',
    schema: 'neck_signal.Command',
    properties: {
      text: { type: 'string', description: 'the command as received' },
      sender: { type: 'string', description: "the sender's sid" },
      senderUuid: { type: 'string' },
      path: { type: 'string', enum: ['hub', 'direct'] },
      id: { type: 'string' },
      sentAt: { type: 'number', description: "the sender's clock when sent, ms" },
      seq: { type: 'number' },
    },
  },
  write: {
    topic: '/neck/write',
    schema: 'neck_signal.Write',
    properties: {
      line: { type: 'string', description: 'the line written to the firmware, without \\n' },
      bytes: { type: 'number', description: 'bytes written, \\n included' },
    },
  },
  ack: {
    topic: '/neck/ack',
    schema: 'neck_signal.Ack',
    properties: {
      command: { type: 'string' },
      status: { type: 'string' },
      to: { type: 'string' },
      id: { type: 'string' },
      error: { type: 'object' },
      timeline: { type: 'object' },
    },
  },
  output: {
    topic: '/neck/output',
    schema: 'foxglove.Log',
    properties: {
      timestamp: { type: 'object', properties: { sec: { type: 'integer' }, nsec: { type: 'integer' } } },
      level: { type: 'integer', description: '2 = INFO' },
      message: { type: 'string' },
      name: { type: 'string' },
      file: { type: 'string' },
      line: { type: 'integer' },
    },
  },
  status: {
    topic: '/neck/status',
    schema: 'neck_signal.Status',
    properties: {
      serial: { type: 'object' },
      firmware: { type: 'object' },
      control: { type: 'object' },
      pose: { type: ['object', 'null'] },
      queueDepth: { type: 'number' },
      health: { type: ['object', 'null'] },
    },
  },
  pose: {
    topic: '/neck/pose',
    schema: 'neck_signal.HeadPose',
    properties: {
      x: { type: 'number' },
      y: { type: 'number' },
      z: { type: 'number' },
      h: { type: 'number' },
      s: { type: 'number' },
      a: { type: 'number' },
      r: { type: 'number' },
      p: { type: 'number' },
      yaw: { type: 'number', description: 'of the quaternion written, degrees (when one was)' },
      pitch: { type: 'number' },
      roll: { type: 'number' },
    },
  },
} as const;

export type RecordingChannel = keyof typeof RECORDING_CHANNELS;

/** Name of the metadata record every recording starts with (neck uuid, agent version, firmware health). */
export const RECORDING_METADATA = 'neck';
/** The MCAP profile field: no ROS profile fits a JSON robot log. */
export const RECORDING_PROFILE = '';
