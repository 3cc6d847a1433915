import type { Request } from 'express';
import type { Actor, RequestOrigin } from '../audit/auditLog.ts';
import { NotAuthenticated } from '../errors.ts';

export const requestOrigin = (req: Request): RequestOrigin => ({
  requestId: req.id,
  clientIp: req.ip ?? null,
});

/** The signed-in staff member as an audit actor; routes behind requireSession only. */
export function staffActor(req: Request): Actor & { type: 'staff' } {
  if (!req.session) throw new NotAuthenticated();
  return { type: 'staff', id: req.session.staff.id, name: req.session.staff.name };
}
