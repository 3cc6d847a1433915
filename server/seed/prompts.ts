import type { Tool } from './catalog.ts';
import type { Random } from './random.ts';
import { actions, cameraMoves, details, settings, styles, subjects, titleTemplates } from './words.ts';

/** What a chat is about: every prompt in it varies around one subject and style. */
export interface ChatTheme {
  subject: string;
  style: string;
  title: string;
}

const withoutArticle = (phrase: string): string => phrase.replace(/^(a|an|the) /, '');
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export function chatTheme(random: Random): ChatTheme {
  const subject = random.pick(subjects);
  const template = random.pick(titleTemplates);
  const title = capitalize(template.replace('{}', withoutArticle(subject)));
  return { subject, style: random.pick(styles), title };
}

/** A prompt as a customer of this tool would type it, in the chat's theme. */
export function promptFor(tool: Tool, theme: ChatTheme, size: number, random: Random): string {
  // Customers sometimes change style mid-chat; mostly they keep it.
  const style = random.chance(0.8) ? theme.style : random.pick(styles);
  switch (tool) {
    case 'image': {
      const extra = random.chance(0.5) ? `, ${random.pick(details)}` : '';
      return `${capitalize(theme.subject)} ${random.pick(settings)}, ${style}, ${random.pick(details)}${extra}`;
    }
    case 'video':
      return `${random.pick(cameraMoves)} ${theme.subject} ${random.pick(actions)}, ${style}, ${size} seconds`;
    case 'animation':
      return `Looping ${style} animation of ${theme.subject} ${random.pick(actions)}, ${size} s loop`;
    case 'upscale':
      return `Upscale the last image of ${theme.subject}, keep fine details sharp`;
  }
}
