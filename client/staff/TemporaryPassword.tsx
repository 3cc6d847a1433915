import ContentCopy from '@mui/icons-material/ContentCopy';
import { Alert, AlertTitle, Box, Button, TextField, Typography } from '@mui/material';
import { useId, useState } from 'react';
import { MIN_PASSWORD_LENGTH } from '../../shared/staff.ts';

/**
 * A temporary password, shown this once: the server keeps only its hash, and nothing in the
 * console stores it, so leaving the screen forgets it. Says what the admin does with it next.
 */
export const TemporaryPassword = ({ name, email, password }: { name: string; email: string; password: string }) => {
  const [copied, setCopied] = useState<'not yet' | 'copied' | 'failed'>('not yet');
  const fieldId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <Alert severity="warning" sx={{ '& .MuiAlert-message': { width: '100%' } }}>
      <AlertTitle>Temporary password for {name}: shown only this once</AlertTitle>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', my: 1 }}>
        <TextField
          id={fieldId}
          label="Temporary password"
          value={password}
          size="small"
          onFocus={event => event.target.select()}
          slotProps={{ htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: 'monospace', fontSize: '1.1rem' } } }}
          sx={{ flex: '0 1 360px', bgcolor: 'background.paper' }}
        />
        <Button variant="outlined" startIcon={<ContentCopy />} onClick={copy}>
          Copy
        </Button>
      </Box>
      <Typography variant="body2" aria-live="polite" sx={{ minHeight: '1.5em' }}>
        {copied === 'copied' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser did not allow copying: select the password and press Ctrl+C.'}
      </Typography>
      <Box component="ol" sx={{ m: 0, pl: 2.5 }}>
        <li>Give it to {name} through a private channel: not in a ticket or a shared chat.</li>
        <li>
          They sign in with {email} and this password. Token Desk then asks them to choose their own (at least {MIN_PASSWORD_LENGTH}{' '}
          characters); until they do, they can do nothing else.
        </li>
        <li>It cannot be shown again once you leave this screen. If it gets lost, reset the password on their account.</li>
      </Box>
    </Alert>
  );
};
