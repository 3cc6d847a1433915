import PlayArrow from '@mui/icons-material/PlayArrow';
import { Box, Skeleton, Stack, Typography } from '@mui/material';
import { safeMediaUrl } from '../display/safeUrl.ts';
import type { AssetRecord, GenerationRecord } from '../../shared/records.ts';
import { useRunAssets } from './RunAssetsContext.tsx';

const shownPerRun = 4;
const size = 48;

const Thumbnail = ({ asset, label }: { asset: AssetRecord; label: string }) => {
  // A video's thumbnail is its poster; an image without one is small enough to show itself.
  const source = safeMediaUrl(asset.thumbnail_url) ?? (asset.kind === 'image' ? safeMediaUrl(asset.url) : null);
  return (
    <Box sx={{ position: 'relative', width: size, height: size, flex: 'none', borderRadius: 1, overflow: 'hidden', bgcolor: 'action.hover' }}>
      {source ? (
        <img src={source} alt={label} loading="lazy" width={size} height={size} style={{ objectFit: 'cover', display: 'block' }} />
      ) : (
        <Typography variant="caption" sx={{ display: 'grid', placeItems: 'center', height: '100%' }} aria-label={label}>
          {asset.kind}
        </Typography>
      )}
      {asset.kind === 'video' && (
        <PlayArrow
          aria-hidden
          fontSize="small"
          sx={{ position: 'absolute', right: 2, bottom: 2, color: 'common.white', bgcolor: 'rgba(0,0,0,0.55)', borderRadius: '50%' }}
        />
      )}
    </Box>
  );
};

/** The first outputs of a run as small thumbnails (a video by its poster), for scanning a list of runs. */
export const RunThumbnails = ({ run }: { run: Pick<GenerationRecord, 'id' | 'asset_count'> }) => {
  const { assets, isPending, failed } = useRunAssets(run.id);
  if (run.asset_count === 0) {
    return (
      <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
        No outputs
      </Typography>
    );
  }
  if (failed) {
    return (
      <Typography variant="body2" color="error">
        Outputs did not load
      </Typography>
    );
  }
  if (isPending) return <Skeleton variant="rounded" width={size} height={size} aria-label="Loading outputs" />;
  const shown = assets.slice(0, shownPerRun);
  const more = run.asset_count - shown.length;
  return (
    <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
      {shown.map((asset, index) => (
        <Thumbnail key={asset.id} asset={asset} label={`${asset.kind === 'video' ? 'Video' : 'Image'} ${index + 1} of run ${run.id}`} />
      ))}
      {more > 0 && (
        <Typography variant="caption" color="text.secondary">
          +{more} more
        </Typography>
      )}
    </Stack>
  );
};
