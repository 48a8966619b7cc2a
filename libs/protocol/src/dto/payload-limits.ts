/** Longest relayed message, in characters. Firmware lines are shorter (128); peers may chat. */
export const MAX_MESSAGE_LENGTH = 1024;
/** Longest uuid a peer may use. */
export const MAX_UUID_LENGTH = 64;
/** Longest correlation id on a command or ack. */
export const MAX_ID_LENGTH = 64;
/** Longest firmware output line forwarded as neck_output. */
export const MAX_OUTPUT_LINE_LENGTH = 512;
/**
 * A uuid: printable text, as the original hub took any string (`robot neck` included): no control or invisible
 * formatting characters (C0 and C1 controls, DEL, line and paragraph separators, bidi and zero-width marks), which
 * would break or disguise the log lines and lists that show it, at least one character that is not a space, and
 * not `*` alone, which stands for every device where the hub keeps revocations. Its length is MAX_UUID_LENGTH's to
 * check.
 */
export const UUID_PATTERN = /^(?!\*$)(?=.*\S)[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+$/u;
/** What a uuid may be, for the messages that refuse one. */
export const UUID_RULE = `uuid must be printable text of 1 to ${MAX_UUID_LENGTH} characters, not only spaces and not *, without control characters or line breaks`;
/** Longest shared password accepted at login. */
export const MAX_PASSWORD_LENGTH = 256;
/** Longest device key (`<key id>.<secret>`). */
export const MAX_DEVICE_KEY_LENGTH = 128;
/**
 * Deepest nesting of objects and arrays a payload may have (the deepest DTO, `neck_status`, needs 4): a deeper
 * one is refused before any library walks it, since class-transformer recurses and a 6 KB array 3,000 deep
 * overflows its stack (issue 17).
 */
export const MAX_PAYLOAD_DEPTH = 16;
/** Most values (objects, arrays, and every property or element in them) one payload may hold. */
export const MAX_PAYLOAD_NODES = 4096;
