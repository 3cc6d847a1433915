import { describe, expect, test } from 'vitest';
import { useBrowserTest } from './harness.ts';
import { saveScreenshot } from './screenshots.ts';
import { demoAccounts, signInAs } from './signIn.ts';

const browserTest = useBrowserTest();
const mayaChatUrl = 'https://studio.example.com/agents/a1/chats/c0ffee00-0000-4000-8000-000000000001?tab=canvas';

describe('agent review', () => {
  test('paste a chat URL, see every run with its refund state, open runs and see their images and video', async () => {
    const { page } = browserTest;
    await signInAs(page, demoAccounts.agent);

    // "/" reaches the lookup box from anywhere; Enter goes straight to the chat.
    await page.keyboard.press('/');
    const lookup = page.getByRole('textbox', { name: /look up/i });
    await expect(lookup.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await lookup.fill(mayaChatUrl);
    await lookup.press('Enter');

    await page.waitForURL(/#\/chats\/c0ffee00-0000-4000-8000-000000000001\/show/);
    await page.getByText('Maya Chen').first().waitFor();
    await page.getByText('Product shots for spring launch').first().waitFor();
    for (const state of ['Auto-refunded', 'Refund missing', 'No refund', 'In progress']) {
      await page.getByText(state, { exact: true }).first().waitFor();
    }
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'chat-review');

    // The succeeded video run: a playable video with its poster.
    await browserTest.open('/#/generations/gen_maya_video_ok/show');
    const video = page.locator('video').first();
    await video.waitFor();
    await expect(video.getAttribute('poster')).resolves.toMatch(/\/media\/video-0\d-poster\.jpg$/);
    await video.evaluate((element: HTMLVideoElement) => new Promise<void>((resolve, reject) => {
      if (element.readyState >= 1) return resolve();
      element.addEventListener('loadedmetadata', () => resolve(), { once: true });
      element.addEventListener('error', () => reject(new Error('video failed to load')), { once: true });
      element.load();
    }));
    await expect(video.evaluate((element: HTMLVideoElement) => element.duration)).resolves.toBeGreaterThan(1);
    const original = page.getByRole('link', { name: /open original/i }).first();
    await expect(original.getAttribute('target')).resolves.toBe('_blank');
    await expect(original.getAttribute('rel')).resolves.toContain('noopener');

    // The run with broken images: both outputs load and show.
    await browserTest.open('/#/generations/gen_maya_artifacts/show');
    const images = page.locator('img[src^="/media/image-0"]');
    await images.first().waitFor();
    await page.waitForLoadState('networkidle');
    const sizes = await images.evaluateAll((elements) => elements.map((element) => (element as HTMLImageElement).naturalWidth));
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const width of sizes) expect(width).toBeGreaterThan(0);
    await saveScreenshot(page, 'run-detail');

    // The refunded run states its proof: the refund entry.
    await browserTest.open('/#/generations/gen_maya_video_failed/show');
    await page.getByText(/txn_maya_video_failed_refund/).first().waitFor();

    await browserTest.open('/#/customers/cus_maya_chen/show');
    await page.getByText('maya.chen@example.com').first().waitFor();
    await page.waitForLoadState('networkidle');
    await saveScreenshot(page, 'customer-360');
  });
});
