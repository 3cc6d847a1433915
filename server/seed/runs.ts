import { errorMessage, toolSpecs, type ErrorCode, type ModelSpec, type Tool } from './catalog.ts';
import { MINUTE, SECOND } from './isoTime.ts';
import { cleanLandscapes, cleanSquares, cleanVideos, mediaUrl, type DemoImage, type DemoVideo } from './media.ts';
import { promptFor, type ChatTheme } from './prompts.ts';
import type { Random } from './random.ts';

/** About one charged failure in 200 never gets its auto-refund: the defect the console must surface. */
export const MISSING_REFUND_RATE = 1 / 200;

/** What the customer asked for; a double-submitted run repeats it exactly. */
export interface RunRequest {
  tool: Tool;
  model: ModelSpec;
  /** Images asked for, or seconds of footage. */
  size: number;
  prompt: string;
  square: boolean;
}

export interface AssetPlan {
  id?: string;
  kind: 'image' | 'video';
  mime: string;
  url: string;
  thumbnailUrl: string | null;
  width: number;
  height: number;
  durationMs: number | null;
  bytes: number;
}

export type RunOutcome =
  | { status: 'succeeded'; finishAt: number; assets: AssetPlan[] }
  | { status: 'failed'; finishAt: number; errorCode: ErrorCode; errorMessage: string; refundAt: number | null }
  | { status: 'running' | 'queued'; statusAt: number };

/** One run as it will be written. Stories fill in their own stable ids. */
export interface RunPlan {
  id?: string;
  chargeId?: string;
  refundId?: string;
  chatId: string;
  tool: string;
  model: string;
  prompt: string;
  startAt: number;
  /** 0 when the studio never charged it (a prompt refused at submit). */
  tokens: number;
  outcome: RunOutcome;
}

export function randomRequest(tool: Tool, theme: ChatTheme, random: Random): RunRequest {
  const model = toolSpecs[tool].pickModel(random);
  const size = random.pick(model.sizes);
  return { tool, model, size, prompt: promptFor(tool, theme, size, random), square: random.chance(0.6) };
}

export const tokensFor = (request: RunRequest): number => request.model.rate * request.size;

export function imageAsset(media: DemoImage, width: number, height: number, bytes: number): AssetPlan {
  const url = mediaUrl(media.file);
  return { kind: 'image', mime: 'image/png', url, thumbnailUrl: url, width, height, durationMs: null, bytes };
}

export function videoAsset(media: DemoVideo, width: number, height: number, durationMs: number, bytes: number): AssetPlan {
  return { kind: 'video', mime: 'video/mp4', url: mediaUrl(media.file), thumbnailUrl: mediaUrl(media.poster), width, height, durationMs, bytes };
}

/**
 * The outputs of a succeeded run. The demo files stand in for them (same
 * shape, smaller); width, height, duration and size describe the real output.
 */
function assetsFor(request: RunRequest, random: Random): AssetPlan[] {
  switch (request.tool) {
    case 'image': {
      const [media, width, height] = request.square ? [cleanSquares, 1024, 1024] : [cleanLandscapes, 1344, 768];
      return Array.from({ length: request.size }, () => imageAsset(random.pick(media), width, height, random.int(900_000, 2_600_000)));
    }
    case 'upscale': {
      const side = request.model.name === 'esrgan-4x' ? 4096 : 2048;
      return [imageAsset(random.pick(cleanSquares), side, side, random.int(6_000_000, 20_000_000))];
    }
    case 'video':
    case 'animation': {
      const [width, height] = request.tool === 'video' ? [1280, 720] : [1024, 576];
      return [videoAsset(random.pick(cleanVideos), width, height, request.size * SECOND, request.size * random.int(300_000, 700_000))];
    }
  }
}

/** Auto-refunds arrive seconds after the failure, sometimes minutes; always well inside the grace period. */
function refundDelay(random: Random): number {
  const draw = random.next();
  const seconds = draw < 0.7 ? random.int(1, 15) : draw < 0.95 ? random.int(15, 180) : random.int(180, 720);
  return seconds * SECOND + random.int(0, 999);
}

/**
 * How a run submitted at `startAt` turns out. Anything that would finish at
 * or after `end` is still queued or running there; a refund that would come
 * later is moved up to just before `end`, so no failure ends the span
 * unrefunded by accident.
 */
export function planRun(request: RunRequest, chatId: string, startAt: number, end: number, random: Random): RunPlan {
  const spec = toolSpecs[request.tool];
  const units = request.tool === 'upscale' ? 1 : request.size;
  const duration = 2 * SECOND + units * random.int(request.model.msPerUnit[0], request.model.msPerUnit[1]);
  let tokens = tokensFor(request);
  let outcome: RunOutcome;
  if (random.chance(spec.failureRate)) {
    const errorCode = spec.pickError(random);
    const atSubmit = errorCode === 'content_filter' && random.chance(0.5);
    const runFor =
      errorCode === 'gpu_timeout' ? spec.timeoutMs + random.int(0, 2000)
      : errorCode === 'provider_error' ? SECOND + Math.floor(random.next() * 0.3 * duration)
      : errorCode === 'out_of_memory' ? Math.floor((0.2 + 0.7 * random.next()) * duration)
      : atSubmit ? random.int(300, 1200)
      : duration;
    // A prompt refused at submit never ran, so it was never charged.
    if (atSubmit) tokens = 0;
    const finishAt = startAt + runFor;
    const missing = tokens > 0 && random.chance(MISSING_REFUND_RATE);
    const refundAt = tokens === 0 || missing ? null : Math.min(finishAt + refundDelay(random), end - 1);
    outcome = { status: 'failed', finishAt, errorCode, errorMessage: errorMessage(errorCode, random, { timeoutMs: spec.timeoutMs, atSubmit }), refundAt };
  } else {
    outcome = { status: 'succeeded', finishAt: startAt + duration, assets: assetsFor(request, random) };
  }
  if (outcome.finishAt >= end) {
    const waited = random.int(2, 40) * SECOND;
    outcome = end - startAt <= waited ? { status: 'queued', statusAt: startAt } : { status: 'running', statusAt: startAt + waited };
  }
  return { chatId, tool: request.tool, model: request.model.name, prompt: request.prompt, startAt, tokens, outcome };
}

/** How long a customer looks at a result before the next run. */
export const thinkTime = (random: Random): number => random.int(15 * SECOND, 4 * MINUTE);
