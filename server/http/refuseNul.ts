import type { RequestHandler } from 'express';
import { ValidationFailed } from '../errors.ts';

/**
 * Refuses a request whose path or query holds a NUL character (`%00`) with a 400, before any
 * route reads it. No id, filter or lookup the console knows can hold one, and PostgreSQL's text
 * cannot: an id with a NUL sent on to a query failed there (a 500) where SQLite found no row (a
 * 404). Refused here, both engines answer alike. Bodies need no such gate: their text fields
 * refuse control characters in their schemas (shared/text.ts).
 */
export const refuseNul: RequestHandler = (req, _res, next) => {
  next(req.originalUrl.includes('%00') ? new ValidationFailed({ url: 'must not contain a NUL character (%00)' }) : undefined);
};
