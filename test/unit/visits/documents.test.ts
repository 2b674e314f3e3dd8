import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../handlers/visits.js';
import { renderTelegramDocument } from '../../../src/channels/telegram/render.js';
import { renderZalo } from '../../../src/channels/zalo/replies.js';
import { t } from '../../../src/i18n.js';

/** A report's CSV file, as each channel can send it. */
const csv = toCsv([
  ['ho_ten', 'so_luot_du', 'nguoi_du'],
  ['Chi bộ thôn Khe Lếch', 2, 'Hoàng Văn Lâm; Lê Thị Thu'],
  ['Chi bộ "Tân An", số 2', 0, ''],
]);
const view = {
  text: 'Tệp CSV theo chi bộ.',
  document: { filename: 'baocao-chibo-2026-12-25.csv', content: csv },
};

describe('CSV report files', () => {
  it('start with a byte-order mark for spreadsheets and quote what needs it', () => {
    expect(csv).toBe(
      '\uFEFFho_ten,so_luot_du,nguoi_du\r\nChi bộ thôn Khe Lếch,2,"Hoàng Văn Lâm; Lê Thị Thu"\r\n"Chi bộ ""Tân An"", số 2",0,\r\n',
    );
  });

  it('go to Telegram as a document captioned with the text', () => {
    const { file, other } = renderTelegramDocument(view);
    expect(file.filename).toBe('baocao-chibo-2026-12-25.csv');
    expect(other.caption).toBe('Tệp CSV theo chi bộ.');
  });

  it('come to Zalo, which sends no files, as their text under the caption', () => {
    const { text } = renderZalo(view, (k, p) => t(k, p, 'vi'));
    expect(text.split('\n')).toEqual([
      'Tệp CSV theo chi bộ.',
      '',
      'Nội dung tệp baocao-chibo-2026-12-25.csv (chép vào bảng tính):',
      'ho_ten,so_luot_du,nguoi_du',
      'Chi bộ thôn Khe Lếch,2,"Hoàng Văn Lâm; Lê Thị Thu"',
      '"Chi bộ ""Tân An"", số 2",0,',
    ]);
  });
});
