import express, { type RequestHandler } from 'express';
import { ValidationFailed } from '../errors.ts';

/**
 * How deeply a JSON body may nest objects and arrays; the body itself is the
 * first level, and the deepest body the API reads (an ingest batch's event
 * data) has 4. JSON.parse takes any depth, but code that walks a whole body
 * afterwards recurses — the credit body's hash (canonicalJson), JSON.stringify
 * — and an unknown field nested 10,000 deep overflowed the stack: a 500 for a
 * 60 kB request. Checked once, right after parsing, for every body.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests deeper than `limit`, found without recursion so that the check cannot overflow itself. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: object; depth: number }[] = [];
  if (typeof value === 'object' && value !== null) pending.push({ value, depth: 1 });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/** Refuses a parsed body that nests deeper than MAX_JSON_DEPTH, as a field error on `body`. */
export function checkJsonDepth(body: unknown): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    const problem = `nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`;
    throw new ValidationFailed({ body: problem }, `The request body ${problem}.`);
  }
}

/** A raw body read as JSON, for routes that need the bytes too (a signature covers them); depth-checked like every body. */
export function parseJsonBody(raw: Buffer): unknown {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationFailed({ body: 'is not valid JSON' }, 'The request body is not valid JSON.');
  }
  checkJsonDepth(body);
  return body;
}

/** express.json, then the depth check, before anything else sees the body. */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      try {
        checkJsonDepth(req.body);
      } catch (tooDeep) {
        return next(tooDeep);
      }
      next();
    });
  };
}
