import { assetKindSchema } from '../../shared/records.ts';
import { filterOn, listStatements, type ListSpec } from './listStatements.ts';

/** An `assets` row, as stored. */
export interface AssetListRow {
  id: string;
  generation_id: string;
  customer_id: string;
  kind: 'image' | 'video';
  mime: string;
  url: string;
  thumbnail_url: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  bytes: number | null;
  created_at: string;
}

export const assetListSpec: ListSpec = {
  select: `SELECT a.id, a.generation_id, a.customer_id, a.kind, a.mime, a.url, a.thumbnail_url,
      a.width, a.height, a.duration_ms, a.bytes, a.created_at
    FROM assets a`,
  from: 'assets a',
  key: 'a.id',
  idColumn: 'a.id',
  filters: {
    id: filterOn.key('a.id', 0),
    generation_id: filterOn.key('a.generation_id', 1),
    customer_id: filterOn.key('a.customer_id', 2, true),
    kind: filterOn.equals('a.kind', assetKindSchema),
  },
  sorts: {
    id: { expr: 'a.id' },
    created_at: { expr: 'a.created_at' },
    kind: { expr: 'a.kind', narrowedOnly: true },
  },
  defaultSort: { field: 'created_at', order: 'DESC' },
  // A run's outputs: as many rows as the runs (11 million in the large seed), and `kind` has no index.
  totals: 'capped',
};

/** Lists of a run's outputs through the storage seam. */
export const assetQueries = listStatements<AssetListRow>(assetListSpec);
