/**
 * An ILIKE pattern for "contains `text`", taking `%`, `_` and the escape character `\` (ILIKE's
 * default escape) literally: a search for "100%" finds "100%" and not "1000".
 */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
