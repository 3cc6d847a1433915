import type { Request } from 'express';
import type { z } from 'zod';
import { ValidationFailed, zodFieldErrors } from '../errors.ts';

/**
 * Parses a request part with a shared schema. The route uses the returned
 * value, never the raw `req.body` or `req.query`, so nothing unchecked
 * reaches a service.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailed(zodFieldErrors(result.error, root));
  return result.data;
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseInput(schema, req.body ?? {}, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseInput(schema, req.query, 'query');
