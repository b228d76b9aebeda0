-- The MCP server's audit log: one row per tool call or grant event. Pseudonymous on purpose: `user_id` is a keyed
-- hash of the IdP subject (src/audit/pseudonymous-user-id.ts); no tokens, e-mail addresses, tool arguments or results.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  -- When it happened, milliseconds since the Unix epoch.
  at INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  -- The MCP client (OAuth client id) and the grant's random key (McpProps.grantKey, also in the grant's metadata).
  client_id TEXT NOT NULL,
  grant_key TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('tool_call', 'grant_connected', 'grant_refreshed', 'grant_revoked_by_user', 'grant_revoked_invalid_grant')),
  -- Tool calls only.
  tool TEXT,
  outcome TEXT CHECK (outcome IN ('ok', 'error', 'denied')),
  duration_ms INTEGER
);
-- The account page: a user's newest events first, and the last use of each grant.
CREATE INDEX audit_events_by_user ON audit_events (user_id, id DESC);
-- The retention purge.
CREATE INDEX audit_events_by_time ON audit_events (at);
