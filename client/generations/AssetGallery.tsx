import OpenInNew from '@mui/icons-material/OpenInNew';
import { Alert, Box, Card, CardContent, CardMedia, Link as MuiLink, Skeleton, Stack, Typography } from '@mui/material';
import { useGetList } from 'react-admin';
import { EmptyState } from '../display/EmptyState.tsx';
import { assetLabel } from './AssetPreviewDialog.tsx';
import { formatBytes, formatDimensions, formatDuration } from '../display/format.ts';
import { safeMediaUrl } from '../display/safeUrl.ts';
import { VisuallyHidden } from '../display/VisuallyHidden.tsx';
import type { AssetRecord } from '../../shared/records.ts';

const previewHeight = 240;

const Preview = ({ asset, label }: { asset: AssetRecord; label: string }) => {
  const source = safeMediaUrl(asset.url);
  const poster = safeMediaUrl(asset.thumbnail_url) ?? undefined;
  if (!source) {
    return (
      <Box sx={{ height: previewHeight, display: 'grid', placeItems: 'center', bgcolor: 'action.hover', p: 2 }}>
        <Typography variant="body2" color="text.secondary">
          Not shown: the address is neither https: nor a /media/ file.
        </Typography>
      </Box>
    );
  }
  if (asset.kind === 'video') {
    return (
      <CardMedia
        component="video"
        controls
        preload="metadata"
        poster={poster}
        aria-label={label}
        sx={{ height: previewHeight, bgcolor: 'common.black', objectFit: 'contain' }}
      >
        <source src={source} type={asset.mime} />
        Your browser cannot play this video; use “Open original”.
      </CardMedia>
    );
  }
  return (
    <CardMedia
      component="img"
      src={source}
      alt={label}
      loading="lazy"
      sx={{ height: previewHeight, objectFit: 'contain', bgcolor: 'action.hover' }}
    />
  );
};

const AssetCard = ({ asset, label }: { asset: AssetRecord; label: string }) => {
  const original = safeMediaUrl(asset.url);
  const facts = [
    formatDimensions(asset.width, asset.height),
    asset.kind === 'video' ? formatDuration(asset.duration_ms) : null,
    formatBytes(asset.bytes),
    asset.mime,
  ].filter((fact): fact is string => Boolean(fact) && fact !== '—');
  return (
    <Card variant="outlined" sx={{ width: 320, maxWidth: '100%' }}>
      <Preview asset={asset} label={label} />
      <CardContent>
        <Typography variant="subtitle2" component="p">
          {label}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {facts.join(' · ') || 'No size details reported'}
        </Typography>
        {original && (
          <MuiLink href={original} target="_blank" rel="noopener noreferrer" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, mt: 1 }}>
            Open original
            <OpenInNew fontSize="inherit" aria-hidden />
            <VisuallyHidden> (opens in a new tab)</VisuallyHidden>
          </MuiLink>
        )}
      </CardContent>
    </Card>
  );
};

/** Every output of a run: images previewed, videos playable (loading only their metadata until played). */
export const AssetGallery = ({ runId }: { runId: string }) => {
  const { data, isPending, error } = useGetList<AssetRecord>('assets', {
    filter: { generation_id: runId },
    pagination: { page: 1, perPage: 100 },
    sort: { field: 'created_at', order: 'ASC' },
  });
  if (isPending) return <Skeleton variant="rounded" width={320} height={previewHeight} aria-label="Loading outputs" />;
  if (error) return <Alert severity="error">Could not load the outputs: {error instanceof Error ? error.message : 'the server did not answer'}.</Alert>;
  if (data.length === 0) {
    return <EmptyState title="This run has no outputs." hint="A failed or running run often has none; if the customer sent files, ask for them in the ticket." />;
  }
  return (
    <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 2 }}>
      {data.map((asset, index) => (
        <AssetCard key={asset.id} asset={asset} label={assetLabel(asset, index, data.length)} />
      ))}
    </Stack>
  );
};
