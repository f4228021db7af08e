-- Up Migration

-- Search on GET /applications (q, registrationNumber). q is a case-insensitive "contains"
-- (ILIKE '%…%'), which only a trigram index serves. pg_trgm is a trusted extension (PostgreSQL
-- 13+): the database owner may create it without being a superuser.
--
-- Korean text: pg_trgm builds trigrams from the characters the database's LC_CTYPE calls
-- alphanumeric. Under C.UTF-8 (what dev/stack/postgres.ts initialises the embedded database
-- with), en_US.UTF-8 or ko_KR.UTF-8, Hangul syllables are letters: show_trgm('을지로 골뱅이집')
-- gives 9 trigrams, as for Latin words. Under a plain C/POSIX ctype or SQL_ASCII they are not,
-- the index holds no Korean trigrams, and a Korean q is answered by a scan: still correct,
-- no longer indexed. docs/operations.md says which locale to give the database.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The searchable text of an application, written once here and used by the index and by the
-- query (src/store/read/applications.ts). The two fields are joined by U+001F, a character q may
-- never contain, so a match never spans the business name and the representative's name.
CREATE FUNCTION application_search_text(details jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce(details ->> 'name', '') || E'\x1f' || coalesce(details -> 'businessRegistration' ->> 'representativeName', '');

CREATE FUNCTION application_registration_number(details jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN details -> 'businessRegistration' ->> 'number';

CREATE INDEX applications_search_text ON applications USING gin (application_search_text(details) gin_trgm_ops);
CREATE INDEX applications_by_registration_number ON applications (application_registration_number(details))
  WHERE application_registration_number(details) IS NOT NULL;
-- An INFO_CHANGE has no name of its own: q matches its listing's name.
CREATE INDEX listings_search_name ON listings USING gin (name gin_trgm_ops);
CREATE INDEX applications_info_change_by_listing ON applications (listing_id) WHERE kind = 'INFO_CHANGE';

-- Down Migration

DROP INDEX applications_info_change_by_listing;
DROP INDEX listings_search_name;
DROP INDEX applications_by_registration_number;
DROP INDEX applications_search_text;
DROP FUNCTION application_registration_number(jsonb);
DROP FUNCTION application_search_text(jsonb);
