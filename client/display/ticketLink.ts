/** Where `{ticket}` stands in the helpdesk's ticket address (HELPDESK_TICKET_URL). */
const placeholder = '{ticket}';

/**
 * The helpdesk's address of ticket `reference`, from the configured `template`; null without a
 * template, or when the result would not be an https: address (the server checks the template at
 * start; this keeps a reference from steering the link elsewhere).
 */
export const ticketUrl = (template: string | null | undefined, reference: string): string | null => {
  const ref = reference.trim();
  if (!template || !template.includes(placeholder) || !ref) return null;
  const address = template.replaceAll(placeholder, encodeURIComponent(ref));
  try {
    return new URL(address).protocol === 'https:' ? address : null;
  } catch {
    return null;
  }
};
