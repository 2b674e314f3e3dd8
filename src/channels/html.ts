/** A character that needs escaping. */
const UNSAFE = /[&<>"']/;

/**
 * Text made safe inside HTML, both as content and as a quoted attribute value: the web answer pages and
 * Telegram's HTML parse mode (which reads &quot; and numeric entities such as &#39; back as the characters).
 * Five replacements, written here rather than pulled from a package for one line.
 */
export const escapeHtml = (s: string) =>
  // Most texts have nothing to escape: one scan finds that, rather than five replacements each copying.
  !UNSAFE.test(s)
    ? s
    : s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
