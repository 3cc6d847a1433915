import { HttpError } from 'react-admin';
import { z } from 'zod';
import { roles, type Role } from '../../shared/roles.ts';
import { staffInviteSchema, type StaffInvite, type StaffRecord, type StaffUpdate } from '../../shared/staff.ts';

export const staffRoleLabels: Record<Role, string> = { agent: 'Agent', lead: 'Team lead', admin: 'Admin' };

/** What each role may do, in the words an admin choosing one needs. */
export const staffRoleDuties: Record<Role, string> = {
  agent: 'Looks up cases and requests credits.',
  lead: 'Also approves, rejects and voids credits, reads reports and the audit log, exports.',
  admin: 'Also manages staff accounts and the credit policy.',
};

export const staffRoleChoices = roles.map(role => ({ id: role, name: staffRoleLabels[role] }));

export const staffRoleLabel = (role: string): string => staffRoleLabels[role as Role] ?? role;

/** Leads read the staff list; only admins change it (docs/api.md). */
export const canReadStaff = (role: Role | undefined): boolean => role === 'lead' || role === 'admin';
export const canManageStaff = (role: Role | undefined): boolean => role === 'admin';

/** An account's state in words: disabled, waiting for its first own password, or active. */
export const staffStatus = (staff: Pick<StaffRecord, 'disabled' | 'must_change_password'>): { label: string; colour: 'default' | 'warning' | 'success' } => {
  if (staff.disabled) return { label: 'Disabled', colour: 'default' };
  if (staff.must_change_password) return { label: 'Temporary password', colour: 'warning' };
  return { label: 'Active', colour: 'success' };
};

export type InviteFormValues = StaffInvite;
export type InviteFormErrors = Partial<Record<keyof InviteFormValues, string>>;

export const emptyInviteForm: InviteFormValues = { email: '', name: '', role: 'agent' };

/** The server's own checks (shared/staff.ts), said before the round trip. */
export const validateInvite = (values: Partial<InviteFormValues>): InviteFormErrors => {
  const parsed = staffInviteSchema.safeParse({ ...emptyInviteForm, ...values });
  if (parsed.success) return {};
  const { fieldErrors } = z.flattenError(parsed.error);
  return { email: fieldErrors.email?.[0], name: fieldErrors.name?.[0], role: fieldErrors.role?.[0] };
};

export const inviteRequest = (values: InviteFormValues): StaffInvite => staffInviteSchema.parse(values);

export type EditFormValues = Pick<StaffRecord, 'name' | 'role'>;

/** Only what changed, so an unchanged role is not sent (and cannot trip the last-admin guard). */
export const staffChanges = (before: EditFormValues, after: EditFormValues): StaffUpdate => {
  const changes: StaffUpdate = {};
  const name = after.name.trim();
  if (name !== before.name) changes.name = name;
  if (after.role !== before.role) changes.role = after.role;
  return changes;
};

/** What a refused staff change means for the screen. */
export type StaffFailure =
  /** 409 `last_admin`: the change would leave Token Desk with no active admin. */
  | { kind: 'last_admin'; message: string }
  /** 400: field errors, to place on the form's fields (also 409 `email_taken`, which names the e-mail). */
  | { kind: 'invalid'; message: string; fieldErrors: Record<string, string> }
  | { kind: 'refused'; message: string }
  | { kind: 'network'; message: string };

export const lastAdminExplanation =
  'Token Desk needs at least one active admin, and this is the last one. Make someone else an admin first, then try again.';

const sentenceCase = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);

export const readStaffFailure = (error: unknown): StaffFailure => {
  if (!(error instanceof HttpError)) return { kind: 'network', message: 'Token Desk did not answer: nothing was changed. Try again.' };
  const body = (typeof error.body === 'object' && error.body !== null ? error.body : {}) as { code?: unknown; message?: unknown; errors?: unknown };
  const message = typeof body.message === 'string' && body.message ? body.message : error.message || `The server refused (HTTP ${error.status}).`;
  if (error.status === 409 && body.code === 'last_admin') return { kind: 'last_admin', message };
  if (error.status === 409 && body.code === 'email_taken') return { kind: 'invalid', message, fieldErrors: { email: message } };
  if (error.status === 400 && typeof body.errors === 'object' && body.errors !== null) {
    const fieldErrors = Object.fromEntries(Object.entries(body.errors as Record<string, string>).map(([field, text]) => [field, sentenceCase(text)]));
    return { kind: 'invalid', message, fieldErrors };
  }
  return { kind: 'refused', message };
};

/** "1 session", "3 sessions". */
export const sessionCount = (count: number): string => `${count} ${count === 1 ? 'session' : 'sessions'}`;
