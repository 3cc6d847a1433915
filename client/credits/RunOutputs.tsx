import type { ReactNode } from 'react';
import { ListContextProvider, useList } from 'react-admin';
import type { GenerationRecord } from '../../shared/records.ts';
import { RunAssetsProvider } from '../generations/RunAssetsContext.tsx';

/**
 * Loads the outputs of `runs` in one `assets` request (filtered by their ids) for the
 * `RunThumbnails` inside, as a runs list does. The runs list's loader reads the runs from a list
 * context, so the credit's runs are given one (react-admin's `useList` over local records).
 */
export const RunOutputsProvider = ({ runs, children }: { runs: GenerationRecord[]; children: ReactNode }) => {
  const list = useList<GenerationRecord>({ data: runs, perPage: runs.length || 1 });
  return (
    <ListContextProvider value={list}>
      <RunAssetsProvider>{children}</RunAssetsProvider>
    </ListContextProvider>
  );
};
