/**
 * The demo files in server/media (see its README), served under /media/.
 * Generated runs point at the clean ones; only the stories point at the files
 * with a deliberate defect, because those are the cases a customer complains
 * about. Sizes are the files' own, so a test can check this list against disk.
 */
export interface DemoImage {
  file: string;
  width: number;
  height: number;
  bytes: number;
}

export interface DemoVideo extends DemoImage {
  poster: string;
  durationMs: number;
}

export const mediaUrl = (file: string): string => `/media/${file}`;

export const demoImages = {
  sunset: { file: 'image-01.png', width: 768, height: 432, bytes: 13_021 },
  skyline: { file: 'image-02.png', width: 768, height: 432, bytes: 9_958 },
  forest: { file: 'image-03.png', width: 512, height: 512, bytes: 15_601 },
  rings: { file: 'image-04.png', width: 512, height: 512, bytes: 20_517 },
  stripeGlitch: { file: 'image-05.png', width: 768, height: 432, bytes: 16_348 },
  truncatedRender: { file: 'image-06.png', width: 512, height: 512, bytes: 13_208 },
} satisfies Record<string, DemoImage>;

export const demoVideos = {
  gradient: { file: 'video-01.mp4', poster: 'video-01-poster.jpg', width: 480, height: 270, durationMs: 3000, bytes: 17_589 },
  fractal: { file: 'video-02.mp4', poster: 'video-02-poster.jpg', width: 480, height: 270, durationMs: 3000, bytes: 151_188 },
  blockyFrames: { file: 'video-03.mp4', poster: 'video-03-poster.jpg', width: 480, height: 270, durationMs: 3000, bytes: 16_993 },
} satisfies Record<string, DemoVideo>;

/** Stand-ins for generated outputs, by the output's shape. */
export const cleanLandscapes: readonly DemoImage[] = [demoImages.sunset, demoImages.skyline];
export const cleanSquares: readonly DemoImage[] = [demoImages.forest, demoImages.rings];
export const cleanVideos: readonly DemoVideo[] = [demoVideos.gradient, demoVideos.fractal];
