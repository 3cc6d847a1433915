import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useGetList, useListContext } from 'react-admin';
import { MAX_PAGE_ROWS } from '../../shared/listQuery.ts';
import type { AssetRecord, GenerationRecord } from '../../shared/records.ts';

interface RunAssets {
  byRun: Map<string, AssetRecord[]>;
  isPending: boolean;
  failed: boolean;
}

const RunAssetsContext = createContext<RunAssets | null>(null);

/**
 * Loads the outputs of every run on the current page of the surrounding runs list in one
 * request (`assets` filtered by a list of `generation_id`s), rather than one request per row.
 */
export const RunAssetsProvider = ({ children }: { children: ReactNode }) => {
  const { data: runs } = useListContext<GenerationRecord>();
  const runIds = useMemo(() => (runs ?? []).filter(run => run.asset_count > 0).map(run => run.id), [runs]);
  const { data, isPending, error } = useGetList<AssetRecord>(
    'assets',
    {
      filter: { generation_id: runIds },
      pagination: { page: 1, perPage: MAX_PAGE_ROWS },
      sort: { field: 'created_at', order: 'ASC' },
    },
    { enabled: runIds.length > 0 },
  );
  const value = useMemo<RunAssets>(() => {
    const byRun = new Map<string, AssetRecord[]>();
    for (const asset of data ?? []) {
      byRun.set(asset.generation_id, [...(byRun.get(asset.generation_id) ?? []), asset]);
    }
    return { byRun, isPending: runIds.length > 0 && isPending, failed: Boolean(error) };
  }, [data, isPending, error, runIds.length]);
  return <RunAssetsContext.Provider value={value}>{children}</RunAssetsContext.Provider>;
};

/** The loaded outputs of one run, from the nearest `RunAssetsProvider`. */
export const useRunAssets = (runId: string): { assets: AssetRecord[]; isPending: boolean; failed: boolean } => {
  const context = useContext(RunAssetsContext);
  if (!context) throw new Error('useRunAssets needs a RunAssetsProvider around it');
  return { assets: context.byRun.get(runId) ?? [], isPending: context.isPending, failed: context.failed };
};
