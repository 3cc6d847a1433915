import type { ChatRow } from '../../db/repositories/chatRepository.ts';
import type { StoryScript } from './customerTimeline.ts';
import { DAY, HOUR, isoAt, MINUTE, SECOND } from './isoTime.ts';
import { demoImages, demoVideos } from './media.ts';
import { profileDefaults, type CustomerProfile, type Plan } from './population.ts';
import { createRandom } from './random.ts';
import { imageAsset, videoAsset, type AssetPlan, type RunOutcome, type RunPlan } from './runs.ts';

/**
 * The hand-written cases the support demo, the README and the browser tests
 * rely on; server/seed/README.md tells them. Their ids are the same in every
 * dataset, whatever the scale or seed; their times are fixed offsets before
 * the anchor. Each story customer also has generated history before it.
 */
export const stories = {
  maya: {
    customerId: 'cus_maya_chen',
    name: 'Maya Chen',
    email: 'maya.chen@example.com',
    chatId: 'c0ffee00-0000-4000-8000-000000000001',
    chatTitle: 'Product shots for spring launch',
    runs: {
      artifacts: 'gen_maya_artifacts',
      videoRefunded: 'gen_maya_video_failed',
      refundMissing: 'gen_maya_image_no_refund',
      videoPlayable: 'gen_maya_video_ok',
      running: 'gen_maya_running',
    },
  },
  tomas: {
    customerId: 'cus_tomas_rivera',
    name: 'Tomás Rivera',
    email: 'tomas.rivera@example.com',
    chatId: 'c0ffee00-0000-4000-8000-000000000002',
    chatTitle: 'Teaser clip for the bakery opening',
    runs: { storyboard: 'gen_tomas_storyboard', teaser: 'gen_tomas_teaser_1', duplicate: 'gen_tomas_teaser_2' },
  },
  amara: {
    customerId: 'cus_amara_okafor',
    name: 'Amara Okafor',
    email: 'amara.okafor@example.com',
    chatId: 'c0ffee00-0000-4000-8000-000000000003',
    chatTitle: 'Looping banner animation',
    runs: {
      outOfMemory: 'gen_amara_loop_oom',
      timedOut: 'gen_amara_loop_timeout',
      refunded: 'gen_amara_loop_refunded',
      tooShort: 'gen_amara_loop_short',
      blocked: 'gen_amara_upscale_blocked',
    },
  },
} as const;

/** Runs deliberately left failed, charged and unrefunded by the stories. */
export const storyRefundsMissing = [stories.maya.runs.refundMissing, stories.amara.runs.outOfMemory, stories.amara.runs.timedOut];

export interface StoryCustomer {
  profile: CustomerProfile;
  script: StoryScript;
}

/** A run of a story: a run plan with its own stable id, in the story's chat. */
type StoryRun = Pick<RunPlan, 'tool' | 'model' | 'prompt' | 'startAt' | 'tokens' | 'outcome'> & { id: string };

/** Stable ledger and asset ids derived from the run id: gen_maya_artifacts → txn_maya_artifacts_charge. */
function scripted(chatId: string, run: StoryRun): RunPlan {
  const stem = run.id.replace(/^gen_/, '');
  const outcome: RunOutcome =
    run.outcome.status === 'succeeded'
      ? { ...run.outcome, assets: run.outcome.assets.map((asset: AssetPlan, i) => ({ ...asset, id: `ast_${stem}_${i + 1}` })) }
      : run.outcome;
  return { ...run, chatId, outcome, chargeId: `txn_${stem}_charge`, refundId: `txn_${stem}_refund` };
}

const landscape = (media: typeof demoImages.sunset) => imageAsset(media, 1344, 768, 1_850_000);

function story(
  key: keyof typeof stories,
  plan: Plan,
  timeZone: string,
  createdDaysAgo: number,
  startsAt: number,
  runs: StoryRun[],
  seed: number,
  anchor: number,
  stream: number,
): StoryCustomer {
  const { customerId, name, email, chatId, chatTitle } = stories[key];
  const chat: ChatRow = { id: chatId, customer_id: customerId, title: chatTitle, created_at: isoAt(startsAt) };
  const createdAt = anchor - createdDaysAgo * DAY + 9 * HOUR;
  return {
    profile: {
      stream,
      id: customerId,
      name,
      email,
      plan,
      timeZone,
      createdAt,
      ...profileDefaults(plan, timeZone, createRandom(seed, stream + 1)),
      // The generated history stops well before the story, so the story's rows follow it in time.
      activeUntil: startsAt - 6 * HOUR,
    },
    script: { startsAt, chats: [chat], runs: runs.map((run) => scripted(chatId, run)) },
  };
}

/** The story customers of a dataset ending at `anchor`; `firstStream` keeps their random streams apart from the others'. */
export function storyCustomers(seed: number, anchor: number, firstStream: number): StoryCustomer[] {
  // Maya: yesterday morning in Los Angeles (17:00 UTC), plus a run still going at the end.
  const maya = anchor - 7 * HOUR;
  const mugPrompt = 'Ceramic coffee mug with cherry blossoms on a marble countertop, studio product photography, soft shadows, white background';
  // Tomás: three days ago, late morning in Madrid.
  const tomas = anchor - 3 * DAY + 10 * HOUR;
  const teaserPrompt = 'Slow dolly-in on a corner bakery storefront as the sun rises, warm light, steam from fresh bread, 10 seconds';
  // Amara: six days ago, afternoon in Lagos.
  const amara = anchor - 6 * DAY + 13 * HOUR + 30 * MINUTE;
  const loopPrompt = 'Seamless looping banner animation of a glowing jellyfish drifting across a deep-blue gradient, 10 s loop';
  return [
    story('maya', 'pro', 'America/Los_Angeles', 58, maya - 40 * SECOND, [
      {
        id: stories.maya.runs.artifacts, tool: 'image', model: 'flux-pro', prompt: mugPrompt, startAt: maya, tokens: 20,
        outcome: { status: 'succeeded', finishAt: maya + 16_400, assets: [landscape(demoImages.stripeGlitch), imageAsset(demoImages.truncatedRender, 1024, 1024, 1_420_000)] },
      },
      {
        id: stories.maya.runs.videoRefunded, tool: 'video', model: 'veo-lite', prompt: 'Slow orbit around the ceramic mug with cherry blossoms, soft studio light, 10 seconds',
        startAt: maya + 3 * MINUTE, tokens: 120,
        outcome: { status: 'failed', finishAt: maya + 18 * MINUTE + 1_200, errorCode: 'gpu_timeout', errorMessage: 'GPU worker did not respond within 900 s', refundAt: maya + 18 * MINUTE + 9_600 },
      },
      {
        id: stories.maya.runs.refundMissing, tool: 'image', model: 'sdxl-turbo', prompt: `${mugPrompt}, pastel pink backdrop`,
        startAt: maya + 22 * MINUTE, tokens: 8,
        outcome: { status: 'failed', finishAt: maya + 22 * MINUTE + 6_300, errorCode: 'provider_error', errorMessage: 'Upstream model provider returned 502 Bad Gateway', refundAt: null },
      },
      {
        id: stories.maya.runs.videoPlayable, tool: 'video', model: 'kling-1.6', prompt: 'Drifting pastel gradient behind the ceramic mug, gentle light sweep, 5 seconds',
        startAt: maya + 26 * MINUTE, tokens: 100,
        outcome: { status: 'succeeded', finishAt: maya + 29 * MINUTE + 34_000, assets: [videoAsset(demoVideos.gradient, 1280, 720, 5_000, 2_400_000)] },
      },
      {
        id: stories.maya.runs.running, tool: 'animation', model: 'animate-x', prompt: 'Looping animation of the ceramic mug with cherry petals falling, pastel colors, 8 s loop',
        startAt: anchor - 4 * MINUTE, tokens: 48,
        outcome: { status: 'running', statusAt: anchor - 4 * MINUTE + 22_000 },
      },
    ], seed, anchor, firstStream),
    story('tomas', 'creator', 'Europe/Madrid', 41, tomas - 40 * SECOND, [
      {
        id: stories.tomas.runs.storyboard, tool: 'image', model: 'flux-pro', prompt: 'Storyboard frames of a corner bakery storefront at sunrise, watercolor, warm tones',
        startAt: tomas, tokens: 40,
        outcome: { status: 'succeeded', finishAt: tomas + 31_000, assets: [demoImages.sunset, demoImages.skyline, demoImages.sunset, demoImages.skyline].map(landscape) },
      },
      {
        id: stories.tomas.runs.teaser, tool: 'video', model: 'kling-1.6', prompt: teaserPrompt, startAt: tomas + 5 * MINUTE, tokens: 200,
        outcome: { status: 'succeeded', finishAt: tomas + 8 * MINUTE + 32_000, assets: [videoAsset(demoVideos.fractal, 1280, 720, 10_000, 4_900_000)] },
      },
      {
        // The same request 3 seconds later: a double click on "Generate".
        id: stories.tomas.runs.duplicate, tool: 'video', model: 'kling-1.6', prompt: teaserPrompt, startAt: tomas + 5 * MINUTE + 3_000, tokens: 200,
        outcome: { status: 'succeeded', finishAt: tomas + 8 * MINUTE + 30_000, assets: [videoAsset(demoVideos.fractal, 1280, 720, 10_000, 4_900_000)] },
      },
    ], seed, anchor, firstStream + 2),
    story('amara', 'studio', 'Africa/Lagos', 52, amara - 40 * SECOND, [
      {
        id: stories.amara.runs.outOfMemory, tool: 'animation', model: 'live-portrait', prompt: loopPrompt, startAt: amara, tokens: 100,
        outcome: { status: 'failed', finishAt: amara + 71_000, errorCode: 'out_of_memory', errorMessage: 'CUDA out of memory: tried to allocate 3.1 GiB (GPU 2; 24 GiB total)', refundAt: null },
      },
      {
        id: stories.amara.runs.timedOut, tool: 'animation', model: 'live-portrait', prompt: loopPrompt, startAt: amara + 4 * MINUTE, tokens: 100,
        outcome: { status: 'failed', finishAt: amara + 14 * MINUTE + 900, errorCode: 'gpu_timeout', errorMessage: 'GPU worker did not respond within 600 s', refundAt: null },
      },
      {
        id: stories.amara.runs.refunded, tool: 'animation', model: 'animate-x', prompt: loopPrompt, startAt: amara + 16 * MINUTE, tokens: 60,
        outcome: { status: 'failed', finishAt: amara + 16 * MINUTE + 4_100, errorCode: 'provider_error', errorMessage: 'Connection to the model provider was reset during upload', refundAt: amara + 16 * MINUTE + 10_300 },
      },
      {
        // Asked for a 10 s loop, got 3 s of blocky frames: the asset keeps the real file's size and length.
        id: stories.amara.runs.tooShort, tool: 'animation', model: 'animate-x', prompt: loopPrompt, startAt: amara + 18 * MINUTE, tokens: 60,
        outcome: { status: 'succeeded', finishAt: amara + 19 * MINUTE + 18_000, assets: [videoAsset(demoVideos.blockyFrames, 480, 270, 3_000, demoVideos.blockyFrames.bytes)] },
      },
      {
        id: stories.amara.runs.blocked, tool: 'upscale', model: 'esrgan-4x', prompt: 'Upscale the banner still of the jellyfish, keep fine details sharp',
        startAt: amara + 22 * MINUTE, tokens: 0,
        outcome: { status: 'failed', finishAt: amara + 22 * MINUTE + 600, errorCode: 'content_filter', errorMessage: 'Prompt blocked by the safety filter (category: public figure)', refundAt: null },
      },
    ], seed, anchor, firstStream + 4),
  ];
}
