import { randomBytes } from 'node:crypto';

/** A random password people can read aloud: four groups of four hex digits. */
export function randomPassword(): string {
  return randomBytes(8)
    .toString('hex')
    .replace(/(.{4})(?!$)/g, '$1-');
}

/** A random uuid in the seed's form `xxxx-xxxx-xxxx-xxxx` (hex). */
export function randomUuid(): string {
  return randomPassword();
}

/** 48 random bytes, hex: a JWT secret well over the 32-byte minimum. */
export function randomJwtSecret(): string {
  return randomBytes(48).toString('hex');
}
