import type { Queryable, Transaction } from '../storage/types.ts';

/** A single sign-on attempt between leaving for the identity provider and coming back. */
export interface OidcLoginRow {
  handle_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  created_at: string;
  expires_at: string;
}

const sql = {
  insert: `INSERT INTO oidc_logins
    (handle_hash, state, nonce, code_verifier, created_at, expires_at)
    VALUES (@handle_hash, @state, @nonce, @code_verifier, @created_at, @expires_at)`,
  take: 'DELETE FROM oidc_logins WHERE handle_hash = ? RETURNING *',
  removeExpired: 'DELETE FROM oidc_logins WHERE expires_at <= ?',
  staffIdBySubject: 'SELECT id FROM staff WHERE external_subject = ?',
  linkSubject: 'UPDATE staff SET external_subject = @external_subject, updated_at = @updated_at WHERE id = @id AND external_subject IS NULL',
};

/**
 * Single sign-on's SQL through the storage seam: the pending attempts (oidc_logins) and the link
 * from a staff account to its identity at the provider (staff.external_subject).
 */
export const oidcRepository = {
  insertLogin: async (tx: Transaction, row: OidcLoginRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  /** Removes the attempt and returns it: an attempt is used at most once, whatever its outcome. */
  takeLogin: (tx: Transaction, handleHash: string): Promise<OidcLoginRow | undefined> => tx.get(sql.take, [handleHash]),
  removeExpiredLogins: async (tx: Transaction, now: string): Promise<number> => (await tx.run(sql.removeExpired, [now])).changes,
  staffIdBySubject: async (q: Queryable, subject: string): Promise<string | undefined> =>
    (await q.get<{ id: string }>(sql.staffIdBySubject, [subject]))?.id,
  /** Records the provider's subject on an account that has none yet; false if it already had one. */
  linkSubject: async (tx: Transaction, staffId: string, subject: string, updatedAt: string): Promise<boolean> =>
    (await tx.run(sql.linkSubject, { id: staffId, external_subject: subject, updated_at: updatedAt })).changes === 1,
};
