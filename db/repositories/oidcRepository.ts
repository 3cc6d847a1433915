import type { Db } from '../connection.ts';

/** A single sign-on attempt between leaving for the identity provider and coming back. */
export interface OidcLoginRow {
  handle_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  created_at: string;
  expires_at: string;
}

/**
 * Single sign-on's SQL: the pending attempts (oidc_logins) and the link from
 * a staff account to its identity at the provider (staff.external_subject).
 */
export function createOidcRepository(db: Db) {
  const insert = db.prepare<OidcLoginRow>(`INSERT INTO oidc_logins
    (handle_hash, state, nonce, code_verifier, created_at, expires_at)
    VALUES (@handle_hash, @state, @nonce, @code_verifier, @created_at, @expires_at)`);
  const take = db.prepare<[string], OidcLoginRow>('DELETE FROM oidc_logins WHERE handle_hash = ? RETURNING *');
  const removeExpired = db.prepare<[string]>('DELETE FROM oidc_logins WHERE expires_at <= ?');
  const staffIdBySubject = db.prepare<[string], string>('SELECT id FROM staff WHERE external_subject = ?').pluck();
  const linkSubject = db.prepare<{ id: string; external_subject: string; updated_at: string }>(
    'UPDATE staff SET external_subject = @external_subject, updated_at = @updated_at WHERE id = @id AND external_subject IS NULL',
  );

  return {
    insertLogin: (row: OidcLoginRow): void => {
      insert.run(row);
    },
    /** Removes the attempt and returns it: an attempt is used at most once, whatever its outcome. */
    takeLogin: (handleHash: string): OidcLoginRow | undefined => take.get(handleHash),
    removeExpiredLogins: (now: string): number => removeExpired.run(now).changes,
    staffIdBySubject: (subject: string): string | undefined => staffIdBySubject.get(subject),
    /** Records the provider's subject on an account that has none yet; false if it already had one. */
    linkSubject: (staffId: string, subject: string, updatedAt: string): boolean =>
      linkSubject.run({ id: staffId, external_subject: subject, updated_at: updatedAt }).changes === 1,
  };
}
export type OidcRepository = ReturnType<typeof createOidcRepository>;
