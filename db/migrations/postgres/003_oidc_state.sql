-- db/migrations/003_oidc_state.sql on PostgreSQL (docs/postgres.md).
-- Single sign-on attempts that have left for the identity provider and not
-- come back yet. The browser holds only a random handle in a short-lived
-- cookie; what the callback checks (state, nonce, PKCE verifier) stays here,
-- so a cookie can be neither forged nor edited, and each attempt is used at
-- most once: the callback deletes its row before anything else.
CREATE TABLE oidc_logins (
  -- SHA-256 of the cookie's handle: a copy of the database completes no sign-in.
  handle_hash    text COLLATE "C" PRIMARY KEY,
  state          text COLLATE "C" NOT NULL,
  nonce          text COLLATE "C" NOT NULL,
  code_verifier  text COLLATE "C" NOT NULL,
  created_at     text COLLATE "C" NOT NULL,
  expires_at     text COLLATE "C" NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- At most one staff account per identity at the provider (staff.external_subject,
-- recorded at the first single sign-on).
CREATE UNIQUE INDEX staff_external_subject ON staff (external_subject) WHERE external_subject IS NOT NULL;

-- Short-lived rows: the callback takes (deletes) its attempt, expired ones are swept.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tokendesk_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_logins TO tokendesk_app;
  END IF;
END $$;
