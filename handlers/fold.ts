import { fold } from '../src/domain/text.js';

/** "Lịch họp!" → "lichhop": how typed words (command names, aliases, arguments) are compared. */
export const foldKey = (typed: string) => fold(typed).replace(/[^\p{L}\p{N}]+/gu, '');
