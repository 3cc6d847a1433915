import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../client/display/format.ts';
import { GenerationShow } from '../../client/generations/GenerationShow.tsx';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildAsset, buildCustomer, buildEntry, buildRun } from './recordBuilders.ts';

const failedRun = buildRun({
  id: 'gen_2',
  tool: 'video',
  model: 'motion-2',
  prompt: '<script>alert("owned")</script> A red fox running through snow',
  status: 'failed',
  error_code: 'gpu_timeout',
  error_message: 'The renderer timed out after 300 s.',
  started_at: '2026-11-20T01:15:00.000Z',
  finished_at: '2026-11-20T01:20:00.000Z',
  refund_state: 'auto_refunded',
  tokens_charged: 3500,
  tokens_returned: 3500,
  tokens_auto_refunded: 3500,
  asset_count: 3,
  charge_id: 'tx_charge_2',
  auto_refund_id: 'tx_refund_2',
  auto_refunded_at: '2026-11-20T01:21:30.000Z',
});
const entries = [
  buildEntry({ id: 'tx_charge_2', generation_id: 'gen_2', amount: -3500, balance_after: 45_300, created_at: '2026-11-20T01:15:00.000Z' }),
  buildEntry({
    id: 'tx_refund_2',
    kind: 'auto_refund',
    generation_id: 'gen_2',
    amount: 3500,
    balance_after: 48_800,
    reverses_id: 'tx_charge_2',
    created_at: '2026-11-20T01:21:30.000Z',
  }),
];
const assets = [
  buildAsset({ id: 'ast_img', generation_id: 'gen_2', url: '/media/image-02.png', width: 1024, height: 768, bytes: 1_432_000 }),
  buildAsset({
    id: 'ast_vid',
    generation_id: 'gen_2',
    kind: 'video',
    mime: 'video/mp4',
    url: 'https://cdn.example.com/runs/gen_2.mp4',
    thumbnail_url: '/media/video-01-poster.jpg',
    width: 480,
    height: 270,
    duration_ms: 3200,
    bytes: 812_000,
  }),
  buildAsset({ id: 'ast_bad', generation_id: 'gen_2', url: 'javascript:alert(1)', thumbnail_url: 'javascript:alert(2)', width: null, height: null, bytes: null }),
];

const openRun = () => {
  const api = fakeApi({ customers: [buildCustomer()], generations: [failedRun], transactions: entries, assets });
  const view = renderPage({
    element: <GenerationShow />,
    path: '/generations/gen_2/show',
    route: '/generations/:id/show/*',
    resource: 'generations',
    dataProvider: api.dataProvider,
  });
  return { ...api, ...view };
};

describe('run detail', () => {
  it('shows the prompt as text, the tool, model, status, error and times', async () => {
    const { getOne } = openRun();

    expect(await screen.findByText('<script>alert("owned")</script> A red fox running through snow')).toBeInTheDocument();
    expect(document.querySelector('script')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Run gen_2' })).toBeInTheDocument();
    expect(screen.getByText('motion-2')).toBeInTheDocument();
    expect(screen.getByText('Failed: gpu_timeout')).toBeInTheDocument();
    expect(screen.getByText('The renderer timed out after 300 s.')).toBeInTheDocument();
    expect(screen.getByText('5 min 00 s')).toBeInTheDocument();
    const started = screen.getByText(formatDateTime('2026-11-20T01:15:00.000Z'));
    expect(started).toHaveAttribute('title', '2026-11-20T01:15:00.000Z (UTC)');
    expect(getOne).toHaveBeenCalledWith('generations', expect.objectContaining({ id: 'gen_2' }));
  });

  it('states the proof of the auto-refund: the entry, its time and its amount', async () => {
    const { getList } = openRun();

    const proof = await screen.findByRole('alert', { name: 'Refund state' });
    expect(proof).toHaveTextContent(
      `Auto-refunded: ledger entry tx_refund_2 returned 3,500 tokens on ${formatDateTime('2026-11-20T01:21:30.000Z')}, reversing charge tx_charge_2.`,
    );
    expect(within(proof).getByText(formatDateTime('2026-11-20T01:21:30.000Z'))).toHaveAttribute('title', '2026-11-20T01:21:30.000Z (UTC)');
    const ledger = screen.getByRole('region', { name: 'Ledger entries of this run' });
    expect(within(ledger).getByText('Auto-refund')).toBeInTheDocument();
    expect(within(ledger).getByText('+3,500')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith('transactions', expect.objectContaining({ filter: { generation_id: 'gen_2' } }));
  });

  it('previews an image, plays a video with its poster, and opens originals in a new tab safely', async () => {
    const { getList } = openRun();

    const image = await screen.findByRole('img', { name: 'Image 1 of 3' });
    expect(image).toHaveAttribute('src', '/media/image-02.png');
    expect(image).toHaveAttribute('loading', 'lazy');
    expect(screen.getByText('1,024 × 768 px · 1.4 MB · image/png')).toBeInTheDocument();

    const video = screen.getByLabelText('Video 2 of 3');
    expect(video.tagName).toBe('VIDEO');
    expect(video).toHaveAttribute('controls');
    expect(video).toHaveAttribute('preload', 'metadata');
    expect(video).toHaveAttribute('poster', '/media/video-01-poster.jpg');
    expect(video.querySelector('source')).toHaveAttribute('src', 'https://cdn.example.com/runs/gen_2.mp4');
    expect(screen.getByText('480 × 270 px · 3.2 s · 812 kB · video/mp4')).toBeInTheDocument();

    const originals = screen.getAllByRole('link', { name: /Open original/ });
    expect(originals.map(link => link.getAttribute('href'))).toEqual(['/media/image-02.png', 'https://cdn.example.com/runs/gen_2.mp4']);
    for (const link of originals) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    }
    expect(getList).toHaveBeenCalledWith('assets', expect.objectContaining({ filter: { generation_id: 'gen_2' } }));
  });

  it('never links or loads an address that is not https: or /media/', async () => {
    openRun();

    expect(await screen.findByText('Not shown: the address is neither https: nor a /media/ file.')).toBeInTheDocument();
    expect(document.querySelector('[href^="javascript"], [src^="javascript"], [poster^="javascript"]')).toBeNull();
  });
});

describe('crediting from the run page', () => {
  const succeeded = buildRun({ id: 'gen_1', refund_state: 'none', tokens_charged: 1200, asset_count: 0 });
  const missing = buildRun({
    id: 'gen_3',
    status: 'failed',
    refund_state: 'refund_missing',
    tokens_charged: 800,
    finished_at: new Date(Date.now() - 3 * 60 * 60 * 1000 - 60_000).toISOString(),
    asset_count: 0,
  });
  const openOne = (path: string) => {
    const api = fakeApi({ customers: [buildCustomer()], generations: [failedRun, succeeded, missing], transactions: [], assets: [] });
    return renderPage({ element: <GenerationShow />, path, route: '/generations/:id/show/*', resource: 'generations', dataProvider: api.dataProvider });
  };

  it('offers "Credit this run", carrying the ticket context the page was opened with', async () => {
    const user = userEvent.setup();
    const { location } = openOne('/generations/gen_1/show?ticket=ZD-48213&expected=A+red+fox');

    await user.click(await screen.findByRole('link', { name: 'Credit this run (gen_1)' }));

    expect(`${location.current?.pathname}${location.current?.search}`).toBe('/credits/create?runs=gen_1&ticket=ZD-48213&expected=A+red+fox');
  });

  it('offers no credit for a run already auto-refunded: its refund state says why', async () => {
    openOne('/generations/gen_2/show');

    expect(await screen.findByRole('heading', { name: 'Run gen_2' })).toBeInTheDocument();
    expect(await screen.findByRole('alert', { name: 'Refund state' })).toHaveTextContent(/^Auto-refunded/);
    expect(screen.queryByRole('link', { name: /^Credit this run/ })).not.toBeInTheDocument();
  });

  it('says how long a missing refund has been missing', async () => {
    openOne('/generations/gen_3/show');

    expect(await screen.findByText('(3 hours ago, no auto-refund yet)')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Credit this run (gen_3)' })).toBeInTheDocument();
  });
});
