import Clear from '@mui/icons-material/Clear';
import SearchIcon from '@mui/icons-material/Search';
import { Box, CircularProgress, IconButton, InputBase, Paper, Typography } from '@mui/material';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { useLocation } from 'react-admin';
import { CustomerChoices } from './CustomerChoices.tsx';
import { useSelectOnFocus } from './useSelectOnFocus.ts';
import { useLookup } from './useLookup.ts';

/** Whether a key press belongs to something the user is typing in, so "/" must stay a character there. */
const isTypingTarget = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.getAttribute('role') === 'textbox');

/** Focuses `input` when "/" is pressed anywhere but in a field, as search boxes on GitHub or Gmail do. */
const useSlashShortcut = (input: RefObject<HTMLInputElement | null>) => {
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (isTypingTarget(event.target)) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [input]);
};

/**
 * The lookup box in the app bar: paste a chat ID or URL, an e-mail, a customer name or id, a run
 * or transaction id, press Enter, land on the right page. When nothing matches, it says so beside
 * the box; when several customers' names match, it lists them to pick from. Its text is selected
 * whenever it gets focus, so the next paste replaces it.
 */
export const LookupBox = () => {
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const messageId = useId();
  const { lookUp, status, dismiss } = useLookup();
  const { pathname } = useLocation();
  const selectOnFocus = useSelectOnFocus();
  useSlashShortcut(input);
  // A "nothing matches" note belongs to the page it was typed on.
  useEffect(() => dismiss(), [pathname, dismiss]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (await lookUp(text)) {
      setText('');
      input.current?.blur();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      dismiss();
      input.current?.blur();
    }
  };

  const clear = () => {
    setText('');
    dismiss();
    input.current?.focus();
  };

  const picked = () => {
    setText('');
    dismiss();
  };

  return (
    <Box
      component="form"
      role="search"
      onSubmit={submit}
      sx={{ position: 'relative', mx: 2, flex: '0 1 420px', minWidth: 180 }}
    >
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          gap: 1,
          px: 1.5,
          borderRadius: 1,
          bgcolor: 'rgba(255,255,255,0.15)',
          '&:focus-within': { bgcolor: 'rgba(255,255,255,0.25)', outline: '2px solid rgba(255,255,255,0.8)' },
        }}
      >
        {status.state === 'pending' ? (
          <CircularProgress size={18} color="inherit" aria-label="Looking up" />
        ) : (
          <SearchIcon fontSize="small" aria-hidden />
        )}
        <InputBase
          inputRef={input}
          value={text}
          onChange={event => {
            setText(event.target.value);
            if (status.state === 'failed' || status.state === 'choose') dismiss();
          }}
          onKeyDown={onKeyDown}
          placeholder="Chat ID or URL, e-mail, name, run or transaction id  ( / )"
          inputProps={{
            ...selectOnFocus,
            'aria-label': 'Look up a chat, customer, run or transaction',
            'aria-describedby': status.state === 'failed' ? messageId : undefined,
            'aria-keyshortcuts': '/',
            enterKeyHint: 'search',
            spellCheck: false,
            autoComplete: 'off',
          }}
          sx={{ color: 'inherit', flex: 1, py: 0.5, '& input::placeholder': { opacity: 0.8 } }}
        />
        {text && (
          <IconButton size="small" color="inherit" onClick={clear} aria-label="Clear the lookup" sx={{ mr: -1 }}>
            <Clear fontSize="small" />
          </IconButton>
        )}
      </Box>
      {status.state === 'choose' && (
        <Paper elevation={4} sx={{ position: 'absolute', top: '100%', left: 0, right: 0, mt: 0.5, p: 1.5, zIndex: 'modal', color: 'text.primary' }}>
          <CustomerChoices q={status.q} customers={status.customers} total={status.total} onPick={picked} />
        </Paper>
      )}
      {status.state === 'failed' && (
        <Paper
          id={messageId}
          role="alert"
          elevation={4}
          sx={{ position: 'absolute', top: '100%', left: 0, right: 0, mt: 0.5, p: 1.5, zIndex: 'modal' }}
        >
          <Typography variant="body2">{status.message}</Typography>
          {status.q && (
            <Typography variant="caption" color="text.secondary" component="p">
              Tried: “{status.q}”. Check for a typo, or paste the whole chat URL.
            </Typography>
          )}
        </Paper>
      )}
    </Box>
  );
};
