import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The security headers of API answers (JSON, CSV downloads, sign-in
 * redirects), after OWASP's REST Security Cheat Sheet: nothing in them may
 * load, frame or be framed, be sniffed or be cached. helmet's page headers
 * (the SPA's CSP, cross-origin policies for documents) mean nothing on JSON
 * and were a tenth of a lookup's cost (BENCHMARKS.md), so the API gets this
 * short, stricter set instead, written in one go.
 */
const API_HEADERS: [string, string][] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Cache-Control', 'no-store'],
];

/** Over HTTPS in production only: a browser would otherwise refuse plain-HTTP local use for a year. */
const HSTS: [string, string] = ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'];

/** The page headers: a CSP the SPA runs under, for the shell, its assets and the media. */
function pageHeaders(production: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // MUI (emotion) injects its styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        mediaSrc: ["'self'", 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: production,
  });
}

/**
 * Exactly the paths that reach the API routers: routing is case-sensitive
 * (app.ts), so `/API/…` is not the API and gets the SPA shell, not its data.
 */
const isApi = (path: string): boolean => path === '/api' || path.startsWith('/api/');

export function securityHeaders(production: boolean): RequestHandler {
  const pages = pageHeaders(production);
  const api = production ? [...API_HEADERS, HSTS] : API_HEADERS;
  return (req, res, next) => {
    if (!isApi(req.path)) return pages(req, res, next);
    for (const [name, value] of api) res.setHeader(name, value);
    next();
  };
}
