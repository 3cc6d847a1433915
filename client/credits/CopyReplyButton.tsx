import ContentCopy from '@mui/icons-material/ContentCopy';
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';

/**
 * Copies a customer-ready reply to the clipboard. `text` may be a function that composes it on
 * click (when it needs data the page has not loaded). Where the browser refuses (no clipboard
 * outside https, or permission denied), the reply opens in a dialog, selected, to copy by hand.
 */
export const CopyReplyButton = ({
  text,
  label = 'Copy reply',
  size = 'small',
}: {
  text: string | (() => Promise<string>);
  label?: string;
  size?: 'small' | 'medium';
}) => {
  const notify = useNotify();
  const [manual, setManual] = useState<string | null>(null);
  const copy = async () => {
    const reply = typeof text === 'string' ? text : await text();
    try {
      await navigator.clipboard.writeText(reply);
      notify('Reply copied: paste it into the ticket.', { type: 'info' });
    } catch {
      setManual(reply);
    }
  };
  return (
    <>
      <Button size={size} variant="outlined" startIcon={<ContentCopy />} onClick={copy} title={typeof text === 'string' ? text : undefined}>
        {label}
      </Button>
      <Dialog open={manual !== null} onClose={() => setManual(null)} fullWidth maxWidth="sm" aria-labelledby="copy-reply-title">
        <DialogTitle id="copy-reply-title">Copy the reply</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>The browser did not allow copying. Select the text and copy it (Ctrl+C or ⌘C).</DialogContentText>
          <TextField
            value={manual ?? ''}
            multiline
            fullWidth
            autoFocus
            label="Reply"
            slotProps={{ htmlInput: { readOnly: true, onFocus: (event: { target: HTMLTextAreaElement }) => event.target.select() } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setManual(null)}>Close</Button>
        </DialogActions>
      </Dialog>
    </>
  );
};
