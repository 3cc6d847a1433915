import ChevronLeft from '@mui/icons-material/ChevronLeft';
import ChevronRight from '@mui/icons-material/ChevronRight';
import OpenInNew from '@mui/icons-material/OpenInNew';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Link, Typography } from '@mui/material';
import { useId } from 'react';
import type { AssetRecord } from '../../shared/records.ts';
import { formatBytes, formatDimensions, formatDuration } from '../display/format.ts';
import { safeMediaUrl } from '../display/safeUrl.ts';
import { VisuallyHidden } from '../display/VisuallyHidden.tsx';

/** "Image 2 of 3": how an output is named in a run's previews. */
export const assetLabel = (asset: Pick<AssetRecord, 'kind'>, index: number, count: number): string =>
  `${asset.kind === 'video' ? 'Video' : 'Image'} ${index + 1} of ${count}`;

const assetFacts = (asset: AssetRecord): string =>
  [formatDimensions(asset.width, asset.height), asset.kind === 'video' ? formatDuration(asset.duration_ms) : null, formatBytes(asset.bytes), asset.mime]
    .filter((fact): fact is string => Boolean(fact) && fact !== '—')
    .join(' · ');

const Media = ({ asset, label }: { asset: AssetRecord; label: string }) => {
  const source = safeMediaUrl(asset.url);
  if (!source) {
    return <Typography color="text.secondary">Not shown: the address is neither https: nor a /media/ file.</Typography>;
  }
  // Bounded by the window, not by a fixed box: an image shows at its own size when it fits.
  const bounds = { display: 'block', maxWidth: '100%', maxHeight: 'calc(100vh - 220px)', mx: 'auto' } as const;
  if (asset.kind === 'video') {
    return (
      <Box
        component="video"
        key={asset.id}
        controls
        autoPlay
        playsInline
        poster={safeMediaUrl(asset.thumbnail_url) ?? undefined}
        aria-label={label}
        sx={{ ...bounds, bgcolor: 'common.black' }}
      >
        <source src={source} type={asset.mime} />
        Your browser cannot play this video; use “Open original”.
      </Box>
    );
  }
  return <Box component="img" key={asset.id} src={source} alt={label} sx={bounds} />;
};

/**
 * One output of a run at full size (a video playing), over the page the agent is on: no new tab,
 * no lost place in a long list. Previous/Next walk the run's other outputs, round and round.
 */
export const AssetPreviewDialog = ({
  runId,
  assets,
  index,
  onIndex,
  onClose,
}: {
  runId: string;
  assets: AssetRecord[];
  /** The output shown, or null when the dialog is closed. */
  index: number | null;
  onIndex: (index: number) => void;
  onClose: () => void;
}) => {
  const titleId = useId();
  const asset = index === null ? undefined : assets[index];
  const label = asset && index !== null ? `${assetLabel(asset, index, assets.length)} of run ${runId}` : '';
  const original = asset ? safeMediaUrl(asset.url) : null;
  return (
    <Dialog open={asset !== undefined} onClose={onClose} maxWidth={false} aria-labelledby={titleId}>
      {asset && index !== null && (
        <>
          <DialogTitle id={titleId}>{label}</DialogTitle>
          <DialogContent>
            <Media asset={asset} label={label} />
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
              {assetFacts(asset) || 'No size details reported'}
            </Typography>
          </DialogContent>
          <DialogActions sx={{ flexWrap: 'wrap' }}>
            {original && (
              <Link href={original} target="_blank" rel="noopener noreferrer" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, mr: 'auto', ml: 1 }}>
                Open original
                <OpenInNew fontSize="inherit" aria-hidden />
                <VisuallyHidden> (opens in a new tab)</VisuallyHidden>
              </Link>
            )}
            {assets.length > 1 && (
              <>
                {/* They go round rather than disable at the ends: a disabled button would drop the focus out of the dialog. */}
                <Button startIcon={<ChevronLeft />} onClick={() => onIndex((index - 1 + assets.length) % assets.length)}>
                  Previous
                </Button>
                <Button endIcon={<ChevronRight />} onClick={() => onIndex((index + 1) % assets.length)}>
                  Next
                </Button>
              </>
            )}
            <Button variant="contained" onClick={onClose}>
              Close
            </Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
};
