import Clear from '@mui/icons-material/Clear';
import { Alert, Box, Button, Card, CardContent, CircularProgress, IconButton, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Title, useLocation, useNavigate } from 'react-admin';
import { CustomerChoices } from './CustomerChoices.tsx';
import { lookupRoutePath } from './lookupModel.ts';
import { readTicketContext } from './ticketContext.ts';
import { useLookup } from './useLookup.ts';
import { useSelectOnFocus } from './useSelectOnFocus.ts';

/**
 * `/#/lookup?q=<chat id, chat URL, e-mail, name or id>`: the deep link a helpdesk sidebar or ticket
 * macro opens, optionally with the ticket's context (`&ticket=…&at=…&expected=…&received=…`,
 * see ticketContext.ts), which travels on to the page it opens and from there to a credit. It
 * resolves `q` and replaces itself with that page, so Back returns to the ticket rather than to
 * this page; when nothing matches it says so and lets the agent edit the text.
 */
export const LookupPage = () => {
  const location = useLocation();
  const navigate = useNavigate();
  const q = new URLSearchParams(location.search).get('q')?.trim() ?? '';
  const ticket = useMemo(() => readTicketContext(location.search), [location.search]);
  const { lookUp, status } = useLookup({ replace: true, ticket });
  const [draft, setDraft] = useState(q);
  const [attempt, setAttempt] = useState(0);
  const selectOnFocus = useSelectOnFocus();

  useEffect(() => {
    setDraft(q);
    if (q) void lookUp(q);
  }, [q, attempt, lookUp]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = draft.trim();
    if (next === q) setAttempt(count => count + 1);
    else navigate(lookupRoutePath(next, ticket), { replace: true });
  };

  const resolving = status.state === 'pending' || (q !== '' && status.state === 'idle');

  return (
    <Card sx={{ mt: 2, maxWidth: 720 }}>
      <Title title="Lookup" />
      <CardContent>
        {resolving ? (
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }} role="status">
            <CircularProgress size={24} aria-hidden />
            <Typography>Looking up “{q}”…</Typography>
          </Stack>
        ) : (
          <Stack spacing={2}>
            {status.state === 'failed' && q ? (
              <Alert severity="warning">{status.message}</Alert>
            ) : status.state === 'choose' ? (
              <CustomerChoices q={status.q} customers={status.customers} total={status.total} ticket={ticket} />
            ) : (
              <Typography>
                Paste a chat ID or chat URL, a customer e-mail, name or id, or a run or transaction id to open it.
              </Typography>
            )}
            <Box component="form" onSubmit={submit} sx={{ display: 'flex', gap: 1, alignItems: 'flex-start' }}>
              <TextField
                label="Look up"
                value={draft}
                onChange={event => setDraft(event.target.value)}
                size="small"
                fullWidth
                autoFocus
                slotProps={{
                  htmlInput: { spellCheck: false, autoComplete: 'off', ...selectOnFocus },
                  input: {
                    endAdornment: draft ? (
                      <IconButton size="small" edge="end" aria-label="Clear the lookup" onClick={() => setDraft('')}>
                        <Clear fontSize="small" />
                      </IconButton>
                    ) : undefined,
                  },
                }}
              />
              <Button type="submit" variant="contained" disabled={!draft.trim()}>
                {draft.trim() === q && status.state === 'failed' ? 'Try again' : 'Look up'}
              </Button>
            </Box>
          </Stack>
        )}
      </CardContent>
    </Card>
  );
};
