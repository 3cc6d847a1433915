import GppBad from '@mui/icons-material/GppBad';
import VerifiedUser from '@mui/icons-material/VerifiedUser';
import { Button, Chip, Stack } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import type { AppDataProvider } from '../dataProvider.ts';
import { chainStatusWords } from './auditModel.ts';

/**
 * Whether the audit log's hash chain is intact (`GET /api/audit/verify`): OK with the number of
 * events checked, or BROKEN at the first tampered event, in the error colour. Walking the chain
 * costs the server, so the answer is kept for a few minutes unless asked again.
 */
export const ChainStatusIndicator = () => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const { data, error, isFetching, refetch } = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => dataProvider.verifyAudit(),
    staleTime: 5 * 60_000,
    refetchOnWindowFocus: false,
    retry: false,
  });
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} role="status" aria-live="polite">
      {data ? (
        <Chip
          icon={data.ok ? <VerifiedUser /> : <GppBad />}
          color={data.ok ? 'success' : 'error'}
          variant={data.ok ? 'outlined' : 'filled'}
          label={chainStatusWords(data)}
        />
      ) : error ? (
        <Chip color="warning" variant="outlined" label="Audit chain not verified: the check failed" />
      ) : (
        <Chip variant="outlined" label="Verifying the audit chain…" />
      )}
      <Button size="small" onClick={() => refetch()} disabled={isFetching}>
        Verify again
      </Button>
    </Stack>
  );
};
