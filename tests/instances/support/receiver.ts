/**
 * The studio's webhook receiver on loopback (docs/integration.md § 2): it
 * verifies every attempt with the `standardwebhooks` package, answers 2xx
 * after a short delay (so attempts of two dispatchers overlap in time), and
 * records when each attempt began and was answered.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface Attempt {
  /** webhook-id: the credit event's id. */
  id: string;
  body: string;
  verified: boolean;
  /** The credit the body names (data.credit_id), and its type. */
  creditId: string;
  type: string;
  /** performance.now() when the request arrived, and when its answer was sent. */
  receivedAt: number;
  answeredAt: number | null;
}

export async function startReceiver(secret: string, options: { delayMs?: number } = {}) {
  const webhook = new Webhook(secret);
  const delayMs = options.delayMs ?? 40;
  const attempts: Attempt[] = [];
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string): string => String(req.headers[name] ?? '');
      let verified = true;
      try {
        webhook.verify(body, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') });
      } catch {
        verified = false;
      }
      let creditId = '';
      let type = '';
      try {
        const parsed = JSON.parse(body) as { type?: unknown; data?: { credit_id?: unknown } };
        creditId = String(parsed.data?.credit_id ?? '');
        type = String(parsed.type ?? '');
      } catch {
        // Recorded as it came: the test sees an attempt without a credit.
      }
      const attempt: Attempt = { id: header('webhook-id'), body, verified, creditId, type, receivedAt, answeredAt: null };
      attempts.push(attempt);
      setTimeout(() => {
        attempt.answeredAt = performance.now();
        res.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' });
        res.end(verified ? JSON.stringify({ studio_transaction_id: `studio-${attempts.length}` }) : '{}');
      }, delayMs);
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('the receiver has no port'));
    });
  });

  return {
    url: `http://127.0.0.1:${port}/studio/credits`,
    attempts,
    stop: (): Promise<void> =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
