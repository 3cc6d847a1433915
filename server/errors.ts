import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { ApiError } from '../shared/errors.ts';

/**
 * Every failure the API reports on purpose. Services throw these; the one
 * error handler below turns them into `{code, message, errors}` (docs/api.md).
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: Record<string, string>,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  constructor(errors: Record<string, string>, message = describeFields(errors)) {
    super(400, 'validation_failed', message, errors);
  }
}

export class NotAuthenticated extends DomainError {
  constructor(message = 'Sign in to continue.') {
    super(401, 'not_authenticated', message);
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super(401, 'invalid_credentials', 'E-mail or password is wrong, or the account is disabled.');
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'Your role may not do this.', code = 'forbidden') {
    super(403, code, message);
  }
}

export class CsrfFailed extends Forbidden {
  constructor() {
    super('The request lacks a valid X-CSRF-Token header. Reload the page and try again.', 'csrf_failed');
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id?: string) {
    super(404, 'not_found', id === undefined ? `${what} not found.` : `${what} ${id} not found.`);
  }
}

export class Conflict extends DomainError {
  constructor(code: string, message: string, extra?: Record<string, unknown>) {
    super(409, code, message, undefined, extra);
  }
}

export class PayloadTooLarge extends DomainError {
  constructor(message = 'The request body is too large.') {
    super(413, 'payload_too_large', message);
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many attempts. Wait and try again.') {
    super(429, 'rate_limited', message);
  }
}

export class Unavailable extends DomainError {
  constructor(message = 'The service is busy. Try again in a moment.') {
    super(503, 'unavailable', message);
  }
}

function describeFields(errors: Record<string, string>): string {
  const fields = Object.keys(errors);
  return fields.length === 0 ? 'The request is invalid.' : `Invalid field${fields.length > 1 ? 's' : ''}: ${fields.join(', ')}.`;
}

/** Zod issues as `{field: message}`, the field being the dotted path. */
export function zodFieldErrors(error: ZodError, root = 'body'): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : root;
    errors[field] ??= issue.message;
  }
  return errors;
}

interface BodyParserError {
  type: string;
  status?: number;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string';

/** Errors of Express' own middleware (http-errors), e.g. a missing static file. */
const isHttpError = (error: unknown): error is { status: number } => {
  const status = error instanceof Error ? (error as Error & { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
};

interface SqliteErrorLike {
  code: string;
  message: string;
}

const isSqliteError = (error: unknown): error is SqliteErrorLike =>
  error instanceof Error && error.name === 'SqliteError' && typeof (error as { code?: unknown }).code === 'string';

interface PostgresErrorLike {
  code: string;
  severity: string;
}

/** An error PostgreSQL answered (pg's DatabaseError): a five-character SQLSTATE and a severity. */
const isPostgresError = (error: unknown): error is PostgresErrorLike => {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
};

/**
 * SQLSTATEs that mean "busy, try again": a lock not granted within lock_timeout (another instance
 * holds it, perhaps paused), a statement cancelled by statement_timeout, and a serialization
 * failure or deadlock still there after the storage's retries (docs/postgres.md).
 */
const postgresBusy = new Set(['55P03', '57014', '40001', '40P01']);

/**
 * The connection itself went away under a request: the server ended it (class 08, 57P01–57P03
 * shutdown, 25P03 idle in a transaction too long, e.g. after this process was paused) or the
 * socket closed. Also "try again": the pool opens a new connection for the next request.
 */
const isConnectionLost = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', '25P03'].includes(code))) return true;
  return error instanceof Error && /^Connection terminated|^Client has encountered a connection error/.test(error.message);
};

/** How long a client is asked to wait after a 503 for a busy database. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/** Maps anything thrown to the API's error shape. The only writer of error JSON. */
export function toApiError(error: unknown): { status: number; body: ApiError & Record<string, unknown>; unexpected: boolean; headers?: Record<string, string> } {
  if (error instanceof DomainError) {
    const headers = error instanceof RateLimited ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined;
    const body: ApiError & Record<string, unknown> = { ...error.extra, code: error.code, message: error.message };
    if (error.errors) body.errors = error.errors;
    return { status: error.status, body, unexpected: false, headers };
  }
  if (error instanceof ZodError) return toApiError(new ValidationFailed(zodFieldErrors(error)));
  if (isBodyParserError(error)) {
    if (error.type === 'entity.too.large') return toApiError(new PayloadTooLarge());
    if (error.type === 'entity.parse.failed') return toApiError(new ValidationFailed({ body: 'is not valid JSON' }, 'The request body is not valid JSON.'));
    if (error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
      return { status: 415, body: { code: 'unsupported_encoding', message: 'Send UTF-8 JSON.' }, unexpected: false };
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return toApiError(new ValidationFailed({ body: 'could not be read' }, 'The request body could not be read.'));
    }
  }
  if (isHttpError(error)) {
    if (error.status === 404) return toApiError(new NotFound('Resource'));
    if (error.status === 405) return { status: 405, body: { code: 'method_not_allowed', message: 'Method not allowed.' }, unexpected: false };
    return toApiError(new ValidationFailed({ request: 'could not be handled' }, 'The request could not be handled.'));
  }
  if (isPostgresError(error)) {
    if (postgresBusy.has(error.code)) return { ...toApiError(new Unavailable()), headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) } };
    if (error.code.startsWith('23')) {
      // As for SQLite below: the database refused what a service let through.
      return { ...toApiError(new Conflict('constraint_violation', 'The change conflicts with existing records.')), unexpected: true };
    }
  }
  if (isConnectionLost(error)) return { ...toApiError(new Unavailable()), headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) } };
  if (isSqliteError(error)) {
    if (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED') {
      return { ...toApiError(new Unavailable()), headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) } };
    }
    if (error.code.startsWith('SQLITE_CONSTRAINT')) {
      // The database refused what a service let through: a conflict, and a bug to look at.
      return { ...toApiError(new Conflict('constraint_violation', 'The change conflicts with existing records.')), unexpected: true };
    }
  }
  return { status: 500, body: { code: 'internal_error', message: 'Something went wrong. The request id is in the X-Request-Id header.' }, unexpected: true };
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const { status, body, unexpected, headers } = toApiError(error);
  if (unexpected) req.log?.error({ err: error }, 'request failed');
  if (headers) res.set(headers);
  res.status(status).json(body);
};
