-- bench/memory.sql: one backend inserts tickets one per transaction, 1,000
-- and then :rest more (through bench.memory_inserts; :routed true for
-- hubroute, false for the plain control), and reads its memory contexts
-- after each. Prints: backend pid (twice), bytes after 1,000, bytes at the end.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CALL bench.memory_inserts(:routed, 1000, :'set');
SELECT pg_backend_pid() AS pid_first, sum(total_bytes) AS bytes_first
  FROM pg_backend_memory_contexts \gset
CALL bench.memory_inserts(:routed, :rest, :'set');
SELECT :pid_first, pg_backend_pid(), :bytes_first, sum(total_bytes)
  FROM pg_backend_memory_contexts;
