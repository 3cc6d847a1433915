// A minimal studio-side receiver for Token Desk's credit webhooks, to try
// delivery locally (docs/integration.md, "Try it locally"). Plain Node: no
// framework, only node:http and the `standardwebhooks` package.
//
//   STUDIO_WEBHOOK_SECRET=whsec_… [PORT=4000] node docs/examples/studio-receiver.mjs
//
// A real receiver books into a database; this one keeps its bookings in memory.
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const PORT = Number(process.env.PORT || 4000);
const SECRET = process.env.STUDIO_WEBHOOK_SECRET;
if (!SECRET || !SECRET.startsWith('whsec_')) {
  console.error('Set STUDIO_WEBHOOK_SECRET to the console\'s secret (whsec_ + base64).');
  process.exit(1);
}
// One secret is enough, even during a rotation: the console then sends one
// signature per secret, and the library accepts the request if any matches.
const webhook = new Webhook(SECRET);
const MAX_BODY = 64 * 1024; // a credit event stays under 20 kB

// webhook-id → our booking. Delivery is at least once: the same id can come
// again (a lost answer, a timeout, a restart), and must be booked only once.
const booked = new Map();
let nextRef = 1;

function answer(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return answer(res, 413, { error: 'body too large' });
    // Verify the bytes exactly as received. Parsing and re-serialising JSON
    // first would change them (spacing, key order) and break the signature.
    const raw = Buffer.concat(chunks);
    let event;
    try {
      // Checks webhook-signature over "<webhook-id>.<webhook-timestamp>.<body>"
      // and refuses a timestamp more than 5 minutes from our clock (replays).
      event = webhook.verify(raw, req.headers);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return answer(res, 401, { error: 'bad signature' });
      return answer(res, 400, { error: 'body is not JSON' });
    }

    const id = req.headers['webhook-id']; // = event.data.transaction_id
    const { type, data } = event;
    const seen = booked.get(id);
    if (seen) {
      // Answer 2xx again, or the console keeps retrying an event we already hold.
      console.log(`already booked ${type} ${id} (${seen.ref})`);
      return answer(res, 200, { studio_transaction_id: seen.ref });
    }
    // Booking order per credit is guaranteed: credit.applied is answered 2xx
    // before its credit.voided (amount negative) is ever sent.
    const ref = `studio-${nextRef++}`;
    booked.set(id, { ref, type, amount: data.amount });
    const signed = data.amount > 0 ? `+${data.amount}` : String(data.amount);
    console.log(`booked ${type} ${id} ${signed} tokens for customer ${data.customer_id} (credit ${data.credit_id})`);
    // Optional: the console keeps this reference as the event's studio_ref.
    answer(res, 200, { studio_transaction_id: ref });
  });
}).listen(PORT, '127.0.0.1', function () {
  // PORT=0 picks a free port: print the one we got.
  console.log(`studio receiver listening on http://127.0.0.1:${this.address().port}`);
});
