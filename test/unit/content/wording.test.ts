import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWording, findWrongForm, readWordingRules } from '../../../src/content/wording.js';
import { CONTENT_DIR, PROJECT_ROOT } from '../../../src/paths.js';

const FIXTURE = join(PROJECT_ROOT, 'test/fixtures/wording');

describe('the wording rules of content/STYLE.md', () => {
  const { rules, problems } = readWordingRules();

  it('load without problems', () => {
    expect(problems).toEqual([]);
    expect(rules.length).toBeGreaterThan(10);
  });

  it('are each explained in content/STYLE.md, in the section they name', () => {
    const style = readFileSync(join(CONTENT_DIR, 'STYLE.md'), 'utf8');
    for (const rule of rules) expect(style, rule.wrong ?? rule.pattern).toContain(`## ${rule.style}`);
    for (const rule of rules.filter((r) => r.wrong !== undefined))
      expect(style.toLocaleLowerCase('vi'), rule.wrong).toContain((rule.wrong ?? '').toLocaleLowerCase('vi'));
  });

  it('hold every shipped locale string and topic', () => {
    expect(checkWording()).toEqual([]);
  });

  it('refuse the wrong forms they name, with the file, the key or topic path, and the right form', () => {
    const found = checkWording(FIXTURE, CONTENT_DIR);
    const at = (file: string, path: string, wrong: string, right: RegExp) =>
      expect(found).toContainEqual({
        file: `test/fixtures/wording/${file}`,
        path,
        message: expect.stringMatching(new RegExp(`^«${wrong}»: write .*${right.source}`, 'i')),
      });
    at('locales/vi/demo.json', 'demo.agenda', 'phê bình và tự phê bình', /tự phê bình và phê bình/);
    at('locales/vi/demo.json', 'demo.join', 'Xin vào chi bộ', /Liên kết tài khoản với chi bộ/);
    at('locales/vi/demo.json', 'demo.guest', 'Khách mời', /đại biểu/);
    at('locales/vi/demo.json', 'demo.refused', 'Không có gì thay đổi', /Yêu cầu chưa được thực hiện/);
    at('locales/vi/demo.json', 'demo.quotes', '“', /«…»/);
    at('topics/local/dang-bo.yaml', 'topics[0] (loi-song-lech-chuan).summary', 'cổ súy', /cổ xúy/);
    // The right forms pass, and so does the English catalog.
    expect(found.filter((p) => p.path === 'demo.fine')).toEqual([]);
    expect(found.filter((p) => p.file.includes('/en/'))).toEqual([]);
  });

  it('match a phrase whatever its case, and a pattern as written', () => {
    const [phrase] = rules.filter((r) => r.wrong === 'Không có gì thay đổi');
    const [heading] = rules.filter((r) => r.pattern?.startsWith('^Quy định'));
    if (!phrase || !heading) throw new Error('rules missing');
    expect(findWrongForm(phrase, 'Giống như hiện tại nên không có gì thay đổi.')).toBe(
      'không có gì thay đổi',
    );
    expect(findWrongForm(heading, 'Quy định: cấp ủy viên cấp tỉnh dự ít nhất 1 buổi.')).toBe('Quy định: ');
    expect(
      findWrongForm(heading, 'Theo quy định đang áp dụng, cấp ủy viên cấp tỉnh dự ít nhất 1 buổi.'),
    ).toBe(undefined);
  });
});
