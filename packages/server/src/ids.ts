import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** 12 random lowercase base-36 characters: short enough for DNS labels and interface names. */
export function randomToken(length = 12): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

export const newSessionId = () => `s_${randomToken()}`;
export const newJobId = () => `j_${randomToken()}`;
export const defaultAlias = () => `env-${randomToken(8)}`;
export const newArtifactId = () => `a_${randomToken()}`;
