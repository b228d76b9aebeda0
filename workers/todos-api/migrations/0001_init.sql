-- Todos API schema: todos and billing profiles, both owned by the access token's `sub`.

CREATE TABLE todos (
  id TEXT PRIMARY KEY NOT NULL,
  owner TEXT NOT NULL,
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Serves "the caller's todos, newest first" without a scan or a sort.
CREATE INDEX todos_owner_created_at ON todos (owner, created_at DESC);

CREATE TABLE billing_profiles (
  owner TEXT PRIMARY KEY NOT NULL,
  plan TEXT NOT NULL,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  monthly_price_cents INTEGER NOT NULL CHECK (monthly_price_cents >= 0),
  created_at TEXT NOT NULL
);
