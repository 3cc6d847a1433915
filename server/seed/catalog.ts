import { SECOND } from './isoTime.ts';
import { weightedPicker, type Random } from './random.ts';

/**
 * What the studio sells and how its runs behave, as the seed imagines it:
 * models, prices, run times, failure rates and error messages per tool.
 */
export const tools = ['image', 'video', 'animation', 'upscale'] as const;
export type Tool = (typeof tools)[number];

export interface ModelSpec {
  name: string;
  /** Tokens per output image (image), per second of footage (video, animation), per run (upscale). */
  rate: number;
  /** What a customer asks for: how many images, or how many seconds of footage. */
  sizes: readonly number[];
  /** GPU time per image or per second of footage, min and max. */
  msPerUnit: readonly [number, number];
}

export interface ToolSpec {
  pickModel: (random: Random) => ModelSpec;
  failureRate: number;
  pickError: (random: Random) => ErrorCode;
  /** When the studio gives up on a silent GPU worker. */
  timeoutMs: number;
}

export const errorCodes = ['gpu_timeout', 'provider_error', 'out_of_memory', 'content_filter'] as const;
export type ErrorCode = (typeof errorCodes)[number];

const model = (name: string, rate: number, sizes: number[], msPerUnit: [number, number]): ModelSpec => ({ name, rate, sizes, msPerUnit });

/** Most image runs ask for one picture; some for a pair or a grid of four. */
const oneMostly = [1, 1, 1, 1, 1, 1, 1, 2, 4];

// Prices keep a run inside the ranges of server/seed/README.md: image 4-40, video 60-400, animation 30-200 tokens.
export const toolSpecs: Record<Tool, ToolSpec> = {
  image: {
    pickModel: weightedPicker([
      [model('flux-pro', 10, oneMostly, [4 * SECOND, 9 * SECOND]), 35],
      [model('imagen-3', 8, oneMostly, [3 * SECOND, 8 * SECOND]), 20],
      [model('sdxl-turbo', 4, oneMostly, [1 * SECOND, 3 * SECOND]), 30],
      [model('flux-schnell', 4, oneMostly, [1 * SECOND, 2 * SECOND]), 15],
    ]),
    failureRate: 0.06,
    pickError: weightedPicker<ErrorCode>([['gpu_timeout', 20], ['provider_error', 35], ['out_of_memory', 10], ['content_filter', 35]]),
    timeoutMs: 120 * SECOND,
  },
  video: {
    pickModel: weightedPicker([
      [model('veo-lite', 12, [5, 8, 10], [8 * SECOND, 14 * SECOND]), 40],
      [model('kling-1.6', 20, [5, 5, 10], [10 * SECOND, 22 * SECOND]), 40],
      [model('runway-gen3', 25, [5, 10, 16], [9 * SECOND, 18 * SECOND]), 20],
    ]),
    failureRate: 0.11,
    pickError: weightedPicker<ErrorCode>([['gpu_timeout', 40], ['provider_error', 25], ['out_of_memory', 25], ['content_filter', 10]]),
    timeoutMs: 900 * SECOND,
  },
  animation: {
    pickModel: weightedPicker([
      [model('animate-x', 6, [5, 8, 10, 20], [4 * SECOND, 9 * SECOND]), 65],
      [model('live-portrait', 10, [4, 6, 10, 20], [5 * SECOND, 12 * SECOND]), 35],
    ]),
    failureRate: 0.09,
    pickError: weightedPicker<ErrorCode>([['gpu_timeout', 30], ['provider_error', 25], ['out_of_memory', 30], ['content_filter', 15]]),
    timeoutMs: 600 * SECOND,
  },
  upscale: {
    pickModel: weightedPicker([
      [model('esrgan-4x', 8, [1], [3 * SECOND, 12 * SECOND]), 60],
      [model('esrgan-2x', 4, [1], [2 * SECOND, 6 * SECOND]), 40],
    ]),
    failureRate: 0.04,
    pickError: weightedPicker<ErrorCode>([['gpu_timeout', 20], ['provider_error', 40], ['out_of_memory', 35], ['content_filter', 5]]),
    timeoutMs: 60 * SECOND,
  },
};

const providerMessages = [
  'Upstream model provider returned 502 Bad Gateway',
  'Provider rate limit exceeded (429); the job was dropped',
  'Connection to the model provider was reset during upload',
  'Provider returned an empty result',
];
const filterCategories = ['violence', 'nudity', 'self-harm', 'public figure', 'trademark'];

/** The message the studio records with an error code, as its logs would word it. */
export function errorMessage(code: ErrorCode, random: Random, options: { timeoutMs: number; atSubmit: boolean }): string {
  switch (code) {
    case 'gpu_timeout':
      return `GPU worker did not respond within ${options.timeoutMs / SECOND} s`;
    case 'provider_error':
      return random.pick(providerMessages);
    case 'out_of_memory':
      return `CUDA out of memory: tried to allocate ${random.int(12, 48) / 10} GiB (GPU ${random.int(0, 7)}; 24 GiB total)`;
    case 'content_filter':
      return `${options.atSubmit ? 'Prompt' : 'Output'} blocked by the safety filter (category: ${random.pick(filterCategories)})`;
  }
}
