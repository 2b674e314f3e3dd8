/** "Lịch họp!" → "lichhop": how typed words (command names, aliases, arguments) are compared. */
export const foldKey = (typed: string) =>
  typed
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, '');
