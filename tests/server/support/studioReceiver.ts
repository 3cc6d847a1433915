import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface ReceivedAttempt {
  id: string;
  timestamp: string;
  signature: string;
  contentType: string | undefined;
  body: string;
  /** Whether the attempt verified with the receiver's secret (a Standard Webhooks library, as the studio would). */
  verified: boolean;
}

/** What the receiver does with one attempt: answer, hang until stopped, or drop the connection. */
export type Behaviour =
  | { answer: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { hang: true }
  | { drop: true };

/**
 * A studio on loopback: a real HTTP server that verifies each attempt with
 * the `standardwebhooks` package and books each webhook-id once, as the
 * studio's side is specified. Tests choose how it answers, stop it (the
 * port then refuses connections) and start it again on the same port.
 */
export async function startStudioReceiver(secret: string, options: { port?: number } = {}) {
  const webhook = new Webhook(secret);
  const attempts: ReceivedAttempt[] = [];
  /** The first body booked under each id, in booking order. */
  const booked = new Map<string, string>();
  const sockets = new Set<Socket>();
  const hanging = new Map<ServerResponse, () => void>();
  let behave: (attempt: ReceivedAttempt) => Behaviour = () => ({ answer: 200 });
  let concurrent = 0;
  let maxConcurrent = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.on('close', () => concurrent--);
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
      const attempt: ReceivedAttempt = {
        id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'),
        contentType: req.headers['content-type'], body, verified,
      };
      attempts.push(attempt);
      const behaviour = verified ? behave(attempt) : { answer: 401 };
      const book = (): void => {
        if (!booked.has(attempt.id)) booked.set(attempt.id, body);
      };
      if ('hang' in behaviour) {
        hanging.set(res, () => {
          book();
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ studio_transaction_id: `studio-${booked.size}` }));
        });
        return;
      }
      if ('drop' in behaviour) {
        req.socket.destroy();
        return;
      }
      const answer = (): void => {
        if (behaviour.answer >= 200 && behaviour.answer < 300) book();
        res.writeHead(behaviour.answer, { 'content-type': 'application/json', ...behaviour.headers });
        res.end(behaviour.body ?? JSON.stringify({ studio_transaction_id: `studio-${booked.size}` }));
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(options.port ?? 0);

  /** Closes the port and every open connection: attempts are refused until start(). */
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const res of hanging.keys()) res.destroy();
      hanging.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  return {
    url: `http://127.0.0.1:${port}/studio/credits`,
    port,
    attempts,
    booked,
    behave(next: (attempt: ReceivedAttempt) => Behaviour): void {
      behave = next;
    },
    maxConcurrent: (): number => maxConcurrent,
    /** Answers every attempt held so far with 200, booking it. */
    release(): void {
      for (const answer of hanging.values()) answer();
      hanging.clear();
    },
    stop,
    start: async (): Promise<void> => {
      await listen(port);
    },
  };
}
export type StudioReceiver = Awaited<ReturnType<typeof startStudioReceiver>>;
