// Legacy SSE session ids: 128 random bits as 32 lowercase hex digits.

const SESSION_ID_PATTERN = /^[0-9a-f]{32}$/;

export function newSseSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** True for a well-formed id; anything else cannot name a session, so it is never looked up. */
export function isSseSessionId(value: string | null): value is string {
  return value !== null && SESSION_ID_PATTERN.test(value);
}
