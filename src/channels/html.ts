/**
 * Text made safe inside HTML, both as content and as a quoted attribute value: the web answer pages and
 * Telegram's HTML parse mode (which reads &quot; and numeric entities such as &#39; back as the characters).
 * Five replacements, written here rather than pulled from a package for one line.
 */
export const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
