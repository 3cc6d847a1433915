import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useBrowserTest } from './harness.ts';
import { repoRoot } from './paths.ts';

const browserTest = useBrowserTest();

const mediaFiles = readdirSync(join(repoRoot, 'server', 'media'));
const images = mediaFiles.filter((name) => /\.(png|jpe?g)$/.test(name));
const videos = mediaFiles.filter((name) => name.endsWith('.mp4'));

interface DecodedVideo {
  width: number;
  height: number;
  duration: number;
}

/**
 * The demo data points at these files, so the browser must really decode them
 * from /media/ under the app's Content-Security-Policy: a wrong MIME type, a
 * CSP gap or a codec Chromium lacks would leave blank thumbnails in the demo.
 */
describe('demo media under /media/', () => {
  test('there are demo images and videos to check', () => {
    expect(images.length).toBeGreaterThanOrEqual(6);
    expect(videos.length).toBeGreaterThanOrEqual(3);
    for (const video of videos) expect(mediaFiles, `poster for ${video}`).toContain(video.replace(/\.mp4$/, '-poster.jpg'));
  });

  test('every demo image decodes in the browser', async () => {
    const { page } = browserTest;
    await browserTest.open('/');
    for (const name of images) {
      const naturalWidth = await page.evaluate(async (src: string) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        return image.naturalWidth;
      }, `/media/${name}`);
      expect(naturalWidth, name).toBeGreaterThan(0);
    }
  });

  test('every demo video loads as playable H.264 of 2 to 4 seconds', async () => {
    const { page } = browserTest;
    await browserTest.open('/');
    for (const name of videos) {
      const decoded = await page.evaluate(
        (src: string) =>
          new Promise<DecodedVideo>((resolve, reject) => {
            const video = document.createElement('video');
            video.muted = true;
            video.preload = 'auto';
            video.onloadeddata = () => resolve({ width: video.videoWidth, height: video.videoHeight, duration: video.duration });
            video.onerror = () => reject(new Error(`${src}: media error ${video.error?.code} ${video.error?.message ?? ''}`));
            video.src = src;
          }),
        `/media/${name}`,
      );
      expect(decoded.width, name).toBeGreaterThan(0);
      expect(decoded.width, name).toBeLessThanOrEqual(480);
      expect(decoded.duration, name).toBeGreaterThanOrEqual(2);
      expect(decoded.duration, name).toBeLessThanOrEqual(4);
    }
  });
});
