-- Single sign-on attempts that have left for the identity provider and not
-- come back yet. The browser holds only a random handle in a short-lived
-- cookie; what the callback checks (state, nonce, PKCE verifier) stays here,
-- so a cookie can be neither forged nor edited, and each attempt is used at
-- most once: the callback deletes its row before anything else.
CREATE TABLE oidc_logins (
  -- SHA-256 of the cookie's handle: a copy of the database completes no sign-in.
  handle_hash    TEXT PRIMARY KEY,
  state          TEXT NOT NULL,
  nonce          TEXT NOT NULL,
  code_verifier  TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- At most one staff account per identity at the provider (staff.external_subject,
-- recorded at the first single sign-on).
CREATE UNIQUE INDEX staff_external_subject ON staff (external_subject) WHERE external_subject IS NOT NULL;
