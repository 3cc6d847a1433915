import { HttpError } from 'react-admin';
import { describe, expect, it } from 'vitest';
import { readStaffFailure, staffChanges, staffStatus, validateInvite } from '../../client/staff/staffModel.ts';

describe('staff changes', () => {
  it('sends only what changed, so an unchanged role never trips the last-admin guard', () => {
    const before = { name: 'Ari Admin', role: 'admin' as const };
    expect(staffChanges(before, { name: 'Ari Admin ', role: 'admin' })).toEqual({});
    expect(staffChanges(before, { name: 'Ari Administrator', role: 'admin' })).toEqual({ name: 'Ari Administrator' });
    expect(staffChanges(before, { name: 'Ari Admin', role: 'lead' })).toEqual({ role: 'lead' });
  });

  it('reads the last-admin refusal, field errors and other refusals', () => {
    expect(readStaffFailure(new HttpError('x', 409, { code: 'last_admin', message: 'This is the last active admin.' }))).toEqual({
      kind: 'last_admin',
      message: 'This is the last active admin.',
    });
    expect(readStaffFailure(new HttpError('x', 400, { code: 'validation_failed', message: 'Invalid.', errors: { name: 'is required' } }))).toEqual({
      kind: 'invalid',
      message: 'Invalid.',
      fieldErrors: { name: 'Is required' },
    });
    expect(readStaffFailure(new HttpError('x', 409, { code: 'email_taken', message: 'That e-mail has an account.' }))).toEqual({
      kind: 'invalid',
      message: 'That e-mail has an account.',
      fieldErrors: { email: 'That e-mail has an account.' },
    });
    expect(readStaffFailure(new HttpError('Forbidden', 403, { code: 'forbidden', message: 'Admins only.' }))).toEqual({ kind: 'refused', message: 'Admins only.' });
    expect(readStaffFailure(new TypeError('Failed to fetch')).kind).toBe('network');
  });

  it('words an account’s state', () => {
    expect(staffStatus({ disabled: true, must_change_password: true }).label).toBe('Disabled');
    expect(staffStatus({ disabled: false, must_change_password: true }).label).toBe('Temporary password');
    expect(staffStatus({ disabled: false, must_change_password: false }).label).toBe('Active');
  });

  it('checks an invitation as the server does', () => {
    expect(validateInvite({ email: 'tom@tokendesk.test', name: 'Tom', role: 'agent' })).toEqual({});
    expect(validateInvite({ email: 'tom', name: ' ', role: 'agent' })).toEqual({ email: 'Enter a valid e-mail address', name: 'Enter a name', role: undefined });
  });
});
