import type { Value } from "@terrarium/wire";

/** Normalises a database value once, at capture: bytes to {$b64}, unsafe integers to strings. */
export function normalise(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Buffer.isBuffer(value)) return { $b64: value.toString("base64") };
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return value as Value;
}

/** Equality of normalised values (bytes compare by content). */
export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
