import type request from 'supertest';
import type { Role } from '../../../shared/roles.ts';
import type { AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';
import { buildStaff, signIn, type TestApp } from '../support/testApp.ts';

export type Browser = Awaited<ReturnType<typeof signIn>>['agent'];

/** A staff member's signed-in browser (agents by default: the least privileged reader). */
export async function reader(t: TestApp, role: Role = 'agent'): Promise<Browser> {
  const staff = await buildStaff(t.ctx, { role });
  return (await signIn(t.app, staff.email)).agent;
}

export interface ListParams {
  filter?: Record<string, unknown>;
  range?: [number, number];
  sort?: [string, 'ASC' | 'DESC'];
}

/** The query string react-admin's simple-REST provider sends. */
export function listQuery(params: ListParams): string {
  const query = new URLSearchParams();
  if (params.filter) query.set('filter', JSON.stringify(params.filter));
  if (params.range) query.set('range', JSON.stringify(params.range));
  if (params.sort) query.set('sort', JSON.stringify(params.sort));
  const text = query.toString();
  return text ? `?${text}` : '';
}

export interface ListAnswer<T> {
  status: number;
  rows: T[];
  contentRange: string | undefined;
  res: request.Response;
}

export async function getList<T = Record<string, unknown>>(browser: Browser, resource: string, params: ListParams = {}): Promise<ListAnswer<T>> {
  const res = await browser.get(`/api/${resource}${listQuery(params)}`);
  return { status: res.status, rows: res.status === 200 ? (res.body as T[]) : [], contentRange: res.headers['content-range'], res };
}

/** The ids of a list page, in order. */
export async function listIds(browser: Browser, resource: string, params: ListParams = {}): Promise<string[]> {
  const answer = await getList<{ id: string }>(browser, resource, params);
  if (answer.status !== 200) throw new Error(`GET ${resource} answered ${answer.status}: ${JSON.stringify(answer.res.body)}`);
  return answer.rows.map((row) => row.id);
}

/** An output of a run, inserted the way ingestion stores it. */
export async function buildAsset(
  ctx: AppContext,
  run: { id: string },
  customerId: string,
  fields: { id?: string; kind?: 'image' | 'video'; createdAt?: string } = {},
): Promise<{ id: string }> {
  const id = fields.id ?? newId('ast');
  const kind = fields.kind ?? 'image';
  await ctx.storage.transaction((tx) =>
    tx.run(`INSERT INTO assets (id, generation_id, customer_id, kind, mime, url, thumbnail_url, width, height, duration_ms, bytes, created_at)
      VALUES (@id, @generation_id, @customer_id, @kind, @mime, @url, @thumbnail_url, @width, @height, @duration_ms, @bytes, @created_at)`, {
      id, generation_id: run.id, customer_id: customerId, kind,
      mime: kind === 'image' ? 'image/png' : 'video/mp4',
      url: kind === 'image' ? '/media/image-01.png' : '/media/video-01.mp4',
      thumbnail_url: kind === 'image' ? '/media/image-01.png' : '/media/video-01-poster.jpg',
      width: 1024, height: 768, duration_ms: kind === 'video' ? 5000 : null, bytes: 123_456,
      created_at: fields.createdAt ?? ctx.clock().toISOString(),
    }),
  );
  return { id };
}

/** An ISO time `minutes` from the test clock's now (negative: before). */
export const minutesFromNow = (t: TestApp, minutes: number): string => new Date(t.ctx.clock().getTime() + minutes * 60_000).toISOString();
