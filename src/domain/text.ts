/**
 * "Thứ Bảy, Đình" → "thu bay, dinh": text without diacritics, in lower case, "đ" as "d". The one way typed
 * words are compared with or without diacritics (commands, dates, replies, CSV codes).
 */
export const fold = (text: string) =>
  text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/đ/g, 'd');
