import { useRef, type FocusEvent, type MouseEvent } from 'react';

type TextField = HTMLInputElement | HTMLTextAreaElement;

/**
 * Input handlers that select the whole text whenever the field gets focus, by keyboard or by a
 * click, so that pasting a new id replaces the old one instead of joining it. The mouse-up of the
 * click that focused the field would put the caret where it landed and lose the selection, so
 * that one is cancelled; clicks in a field that already has focus place the caret as usual.
 */
export const useSelectOnFocus = () => {
  const focusingClick = useRef(false);
  return {
    onMouseDown: (event: MouseEvent<TextField>) => {
      focusingClick.current = document.activeElement !== event.currentTarget;
    },
    onFocus: (event: FocusEvent<TextField>) => event.currentTarget.select(),
    onMouseUp: (event: MouseEvent<TextField>) => {
      if (focusingClick.current) event.preventDefault();
      focusingClick.current = false;
    },
  };
};
