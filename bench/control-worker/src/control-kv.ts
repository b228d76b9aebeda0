// Shared by the control Worker and the bench that seeds its KV: the record `/kv-read` reads.

export const CONTROL_KV_KEY = 'bench:record';

/** About the size of a workers-oauth-provider token record, which the MCP server reads on every request. */
export const CONTROL_KV_RECORD = JSON.stringify({ record: 'x'.repeat(1500) });
