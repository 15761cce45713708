-- hubroute 0.1 -> 0.2: ALTER EXTENSION hubroute UPDATE TO '0.2'.
--
-- Everything here is also in sql/hubroute.sql, the install script of 0.2;
-- test/sql/upgrade.sql checks that an updated 0.1 equals a fresh 0.2.

\echo Use "ALTER EXTENSION hubroute UPDATE TO '0.2'" to load this file. \quit
