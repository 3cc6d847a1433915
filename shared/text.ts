import { z } from 'zod';

/**
 * Characters that have no place in free text people write or read: C0 and C1
 * controls but tab, line feed and carriage return (NUL ends strings in C
 * tools; ESC sequences rewrite a terminal showing a log or an export), and
 * the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), which make text display in another order than it is
 * stored — a ticket reference or a name that reads as something it is not.
 */
const HIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/**
 * Half of a surrogate pair without the other half: not a character, and not
 * valid UTF-8 once stored. With the `u` flag a whole pair is one code point,
 * so only a lone half is in the surrogate category.
 */
const LONE_SURROGATE = /\p{Cs}/u;

const codePoint = (character: string): string => `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` may not be stored as free text, in words, or null when it may. */
export function hiddenCharacterProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone surrogate (half of a character)';
  const hidden = HIDDEN_CHARACTER.exec(text)?.[0];
  if (hidden === undefined) return null;
  return /[\u202A-\u202E\u2066-\u2069]/.test(hidden)
    ? `must not contain a bidirectional control character (${codePoint(hidden)})`
    : `must not contain a control character (${codePoint(hidden)})`;
}

/**
 * The refinement every free-text field of a request applies, e.g.
 * `z.string().max(200).check(plainText)`: the field is refused, named, with
 * the character that was found.
 */
export const plainText = z.superRefine<string>((text, ctx) => {
  const problem = hiddenCharacterProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: text });
});
