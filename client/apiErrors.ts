import { HttpError } from 'react-admin';

/**
 * A refused API call as the console reads it. Every non-2xx answer carries `{code, message,
 * errors?}` (docs/api.md) and some add fields of their own (a 409 on a credit names the runs in
 * the way); `fetchApi` hands it over as react-admin's `HttpError` with that JSON as `body`. Read
 * it here, once, rather than picking at `error.body` in each screen.
 */
export interface ApiRefusal {
  status: number;
  /** The API's error code (`validation_failed`, `self_approval`…); '' when the body had none. */
  code: string;
  /** The server's words, or react-admin's, or the status when neither said anything. */
  message: string;
  /** Field errors of a 400, keyed by the field's path (`note`, `items.0.tokens`). */
  fieldErrors: Record<string, string>;
  /** The whole body, for the extra fields of a particular answer. */
  body: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const textFields = (value: unknown): Record<string, string> =>
  isObject(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};

/** What the server said, or null when the call got no answer at all (network down, server gone). */
export const readApiRefusal = (error: unknown): ApiRefusal | null => {
  if (!(error instanceof HttpError)) return null;
  const body = isObject(error.body) ? error.body : {};
  const said = typeof body.message === 'string' && body.message ? body.message : error.message;
  return {
    status: error.status,
    code: typeof body.code === 'string' ? body.code : '',
    message: said || `The server refused (HTTP ${error.status}).`,
    fieldErrors: textFields(body.errors),
    body,
  };
};

/** The server's words for a refused call, or `unanswered` when it did not answer. */
export const apiErrorMessage = (error: unknown, unanswered: string): string => readApiRefusal(error)?.message ?? unanswered;

/** "is required" → "Is required": the API's field errors continue a field name; on the field they stand alone. */
export const sentenceCase = (text: string): string => (text ? text[0].toUpperCase() + text.slice(1) : text);
