/** Whether `code` is a SQLSTATE: PostgreSQL answered, rather than the connection failing. */
export const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
