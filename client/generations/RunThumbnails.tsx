import PlayArrow from '@mui/icons-material/PlayArrow';
import { ButtonBase, Skeleton, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { safeMediaUrl } from '../display/safeUrl.ts';
import type { AssetRecord, GenerationRecord } from '../../shared/records.ts';
import { AssetPreviewDialog } from './AssetPreviewDialog.tsx';
import { useRunAssets } from './RunAssetsContext.tsx';

// Two fit the runs tables at 1280 pixels; the preview dialog walks the rest.
const shownPerRun = 2;
const size = 64;

const Thumbnail = ({ asset, label, onOpen }: { asset: AssetRecord; label: string; onOpen: () => void }) => {
  // A video's thumbnail is its poster; an image without one is small enough to show itself.
  const source = safeMediaUrl(asset.thumbnail_url) ?? (asset.kind === 'image' ? safeMediaUrl(asset.url) : null);
  return (
    <ButtonBase
      onClick={onOpen}
      aria-label={`Preview ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
      aria-haspopup="dialog"
      sx={{
        position: 'relative',
        width: size,
        height: size,
        flex: 'none',
        borderRadius: 1,
        overflow: 'hidden',
        bgcolor: 'action.hover',
        '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main', outlineOffset: 2 },
      }}
    >
      {source ? (
        <img src={source} alt={label} loading="lazy" width={size} height={size} style={{ objectFit: 'cover', display: 'block' }} />
      ) : (
        <Typography variant="caption" sx={{ display: 'grid', placeItems: 'center', height: '100%', width: '100%' }} aria-label={label}>
          {asset.kind}
        </Typography>
      )}
      {asset.kind === 'video' && (
        <PlayArrow
          aria-hidden
          fontSize="small"
          sx={{ position: 'absolute', right: 3, bottom: 3, color: 'common.white', bgcolor: 'rgba(0,0,0,0.55)', borderRadius: '50%' }}
        />
      )}
    </ButtonBase>
  );
};

/**
 * The first outputs of a run as thumbnails (a video by its poster), for scanning a list of runs;
 * each opens the output at full size, a video playing, in a dialog over the list.
 */
export const RunThumbnails = ({ run }: { run: Pick<GenerationRecord, 'id' | 'asset_count'> }) => {
  const { assets, isPending, failed } = useRunAssets(run.id);
  const [previewed, setPreviewed] = useState<number | null>(null);
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
    <Stack direction="row" useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', gap: 0.5, maxWidth: 2 * size + 8 }}>
      {shown.map((asset, index) => (
        <Thumbnail
          key={asset.id}
          asset={asset}
          label={`${asset.kind === 'video' ? 'Video' : 'Image'} ${index + 1} of run ${run.id}`}
          onOpen={() => setPreviewed(index)}
        />
      ))}
      {more > 0 && (
        <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
          +{more} more
        </Typography>
      )}
      <AssetPreviewDialog runId={run.id} assets={assets} index={previewed} onIndex={setPreviewed} onClose={() => setPreviewed(null)} />
    </Stack>
  );
};
