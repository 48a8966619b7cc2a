/** Longest relayed message, in characters. Firmware lines are shorter (128); peers may chat. */
export const MAX_MESSAGE_LENGTH = 1024;
/** Longest uuid a peer may use. */
export const MAX_UUID_LENGTH = 64;
/** Longest correlation id on a command or ack. */
export const MAX_ID_LENGTH = 64;
/** Longest firmware output line forwarded as neck_output. */
export const MAX_OUTPUT_LINE_LENGTH = 512;
/** A uuid: letters, digits and `_ . : -`, starting with a letter or digit. */
export const UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** Longest shared password accepted at login. */
export const MAX_PASSWORD_LENGTH = 256;
/** Longest device key (`<key id>.<secret>`). */
export const MAX_DEVICE_KEY_LENGTH = 128;
