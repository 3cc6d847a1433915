import { Router } from 'express';

/**
 * Every router of the API. Case-sensitive, so `/API/customers` or
 * `/api/CUSTOMERS` never reach an API route: only the exact paths get the
 * API's answers and their stricter headers.
 */
export const apiRouter = (): Router => Router({ caseSensitive: true });
