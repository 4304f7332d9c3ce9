/**
 * Settings every connection to the SQLite file uses (the main one and the
 * pad's append thread).
 * - WAL lets readers proceed during writes; NORMAL sync is durable across
 *   process crashes (only a power loss can drop the last transactions).
 * - No automatic checkpoints: a checkpoint runs inside whichever commit
 *   crosses the threshold and fsyncs the database file, which stalled pad
 *   updates (and, on the main connection, the event loop) for tens of ms.
 *   The checkpointer thread does them instead, off every write path; the log
 *   is reused from its start and trimmed to 64 MiB when it is.
 */
export const SQLITE_PRAGMAS =
	'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;';
