import { containsPattern } from '../../src/store/read/contains-pattern.ts';

test('wraps the text in % and escapes ILIKE\'s wildcards and its escape character', () => {
  expect(containsPattern('골뱅이')).toBe('%골뱅이%');
  expect(containsPattern('100%')).toBe('%100\\%%');
  expect(containsPattern('a_b')).toBe('%a\\_b%');
  expect(containsPattern('c\\d')).toBe('%c\\\\d%');
  expect(containsPattern('%_\\')).toBe('%\\%\\_\\\\%');
});
