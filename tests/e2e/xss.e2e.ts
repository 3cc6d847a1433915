import { describe, expect, test } from 'vitest';
import { DEMO_INGEST_SECRET } from '../../server/config.ts';
import { signBody } from '../../server/ingest/signature.ts';
import { useBrowserTest } from './harness.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();

const payloads = {
  name: '<img src=x onerror="window.__xss=\'name\'">Mallory',
  title: '<script>window.__xss="title"</script>Chat title',
  prompt: '<svg onload="window.__xss=\'prompt\'"></svg>a fox in <b>bold</b>',
  error: '<iframe src="javascript:window.__xss=\'error\'"></iframe>',
  model: '"><img src=x onerror=window.__xss="model">',
};

async function ingest(baseUrl: string, events: unknown[]): Promise<{ accepted: number; rejected: { id: string; error: string }[] }> {
  const body = JSON.stringify({ events });
  const res = await fetch(`${baseUrl}/api/ingest/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Signature': signBody(DEMO_INGEST_SECRET, body, Math.floor(Date.now() / 1000)) },
    body,
  });
  return (await res.json()) as { accepted: number; rejected: { id: string; error: string }[] };
}

describe('stored XSS', () => {
  test('names, titles, prompts, errors and asset metadata with script payloads render as inert text', async () => {
    const { page, server } = browserTest;
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const result = await ingest(server.baseUrl, [
      { id: 'x1', type: 'customer.upserted', occurred_at: at, data: { id: 'cus_xss', name: payloads.name, email: 'mallory@example.com', plan: '<b>pro</b>' } },
      { id: 'x2', type: 'chat.created', occurred_at: at, data: { id: 'chat-xss-1', customer_id: 'cus_xss', title: payloads.title, created_at: at } },
      { id: 'x3', type: 'generation.started', occurred_at: at, data: { id: 'gen_xss', chat_id: 'chat-xss-1', customer_id: 'cus_xss', tool: 'image', model: payloads.model, prompt: payloads.prompt, started_at: at } },
      { id: 'x4', type: 'generation.failed', occurred_at: at, data: { id: 'gen_xss', finished_at: at, error_code: 'bad<code>', error_message: payloads.error } },
      { id: 'x5', type: 'asset.created', occurred_at: at, data: { id: 'ast_js', generation_id: 'gen_xss', kind: 'image', mime: 'image/png', url: 'javascript:window.__xss="asset"', created_at: at } },
      { id: 'x6', type: 'asset.created', occurred_at: at, data: { id: 'ast_ok', generation_id: 'gen_xss', kind: 'image', mime: 'image/png', url: '/media/image-01.png', thumbnail_url: '/media/image-01.png', created_at: at } },
    ]);
    expect(result.accepted).toBe(5);
    expect(result.rejected.map((r) => r.id)).toEqual(['x5']);

    await signInAs(page, demoAccounts.agent);
    await browserTest.open('/#/lookup?q=chat-xss-1');
    await page.getByText('Mallory', { exact: false }).first().waitFor();
    await page.getByText(payloads.title).first().waitFor();
    await browserTest.open('/#/generations/gen_xss/show');
    await page.getByText(payloads.prompt).first().waitFor();
    await page.getByText(payloads.error).first().waitFor();

    // Shown as text, never run: no payload set its marker, none became an element.
    await expect(page.evaluate(() => (window as unknown as { __xss?: string }).__xss ?? null)).resolves.toBeNull();
    await expect(page.locator('svg[onload], img[onerror], iframe, script:not([src])').count()).resolves.toBe(0);
  });
});
