import { render, screen, fireEvent } from '@testing-library/react';
import { Bar, BarChart, XAxis, YAxis, Tooltip } from 'recharts';
import { it, expect, vi } from 'vitest';

it('renders bars', async () => {
  const onClick = vi.fn();
  const { container } = render(
    <BarChart width={600} height={300} data={[{ label: 'Ada', tokens: 500 }, { label: 'Bob', tokens: 200 }]}>
      <XAxis dataKey="label" />
      <YAxis />
      <Tooltip />
      <Bar dataKey="tokens" onClick={onClick} isAnimationActive={false} />
    </BarChart>,
  );
  await new Promise(r => setTimeout(r, 100));
  console.log(container.innerHTML.slice(0, 3000));
  const rects = container.querySelectorAll('.recharts-bar-rectangle');
  console.log('rects', rects.length);
  vi.mocked(console.log);
  if (rects[0]) fireEvent.click(rects[0].querySelector('path') ?? rects[0]);
  console.info('clicked', onClick.mock.calls.length, JSON.stringify(onClick.mock.calls[0]?.[0]?.payload));
  vi.mocked(console.error).mockClear(); vi.mocked(console.warn).mockClear();
});
