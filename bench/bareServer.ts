import express from 'express';

/**
 * The reference point of `× bare`: a bare Express 5 JSON route, run on the
 * same machine in the same run, so every throughput can be read as a share of
 * what Express alone manages here. No middleware on purpose.
 */
const app = express();
app.disable('x-powered-by');
app.get('/ping', (_req, res) => {
  res.json({ ok: true });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare Express listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
