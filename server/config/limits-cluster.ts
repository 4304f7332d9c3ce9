/**
 * The knobs of running several instances (issue 16: server/cluster, and the
 * pad, rooms, jobs and media across instances), spread into `limits` by
 * limits.ts; read them as `limits.cluster*` like every other knob.
 */
export const clusterLimits = {
	clusterRooms: {
		/** This instance's heartbeat in Redis is written this often and lives this long; a missing one means the instance died. */
		heartbeatMs: 1_000,
		heartbeatTtlMs: 5_000,
		/** Redis failing for longer than this cuts the instance off: not ready, no new joins, its sockets closed. */
		cutOffAfterMs: 5_000,
		/** Media and pads get this long to close when cut off, before the sockets are closed. */
		cutOffFeaturesMs: 3_000,
		/** How often each instance ends graces that ran out and clears dead instances' sockets, and how many per script run. */
		sweepMs: 1_000,
		sweepBatch: 200,
		/** socket.io's stream in Redis: entries kept (a reconnecting instance reads what it missed from them). */
		adapterStreamMaxLen: 10_000,
		/** Blocking read of the stream: below limits.cluster.redisCommandTimeoutMs, which would cut it. */
		adapterBlockMs: 1_000,
		adapterHeartbeatMs: 5_000,
		adapterHeartbeatTimeoutMs: 10_000,
		/** A shown prompt card is cleared when its session empties; this bounds it if that is missed. */
		shownCardTtlMs: 12 * 60 * 60_000
	},
	cluster: {
		/** Redis commands wait at most this long for a reconnect before failing (the caller then falls back or says so). */
		redisCommandTimeoutMs: 2_000,
		/** Reconnect backoff to Redis: first wait, and the ceiling it doubles up to. */
		redisReconnectFirstMs: 100,
		redisReconnectMaxMs: 2_000
	},
	/** The pad across instances (server/pad/fanout.ts, feed.ts). */
	clusterPad: {
		/** Entries a document's Redis fan-out stream keeps (approximately): a reader further behind reads PostgreSQL. */
		streamMaxLen: 1_000,
		/** A document's stream is deleted this long after its last entry (a reader that comes later starts from PostgreSQL). */
		streamTtlMs: 60 * 60_000,
		/** One blocking read of all loaded documents' streams waits at most this long (under redisCommandTimeoutMs). */
		readBlockMs: 1_000,
		/** Entries one read takes per stream. */
		readCount: 500,
		/** A failed stream read is tried again after this long. */
		readRetryMs: 500,
		/** An update that arrived before one it follows waits this long for it before the missing seqs are read from PostgreSQL. */
		gapWaitMs: 150,
		/** A document with local peers that heard nothing for this long checks its head row in PostgreSQL (backstop; one query for all). */
		quietPollMs: 3_000,
		/** Largest awareness entry taken from another instance's stream (bytes, before decoding); bigger ones are dropped. */
		awarenessEntryMaxBytes: 64 * 1024,
		/** Awareness clients one other instance may hold in a document here (its connections' clients at most). */
		awarenessClientsPerInstance: 40 * 4,
		/** Characters of awareness state one other instance may hold in a document here. */
		awarenessBytesPerInstance: 640 * 1024,
		/** Each instance's current awareness of a document is kept in Redis this long after its last change, for instances loading it later. */
		awarenessSeedTtlMs: 60_000,
		/** A seed older than this is ignored (its instance renews it every 15 s while its clients live; y-protocols' timeout is 30 s). */
		awarenessSeedMaxAgeMs: 30_000,
		/** A document's load waits at most this long for the other instances' awareness from Redis. */
		awarenessSeedWaitMs: 500
	},
	clusterJobs: {
		/**
		 * A message being sent is another instance's to send again after this
		 * (its sender died): longer than an SMTP attempt can take (the
		 * connection, greeting and socket timeouts above together), so a live
		 * sender is never overtaken; a resend keeps the Message-ID.
		 */
		mailLeaseMs: 2 * 60_000,
		/**
		 * An ending being completed is held this long, renewed every
		 * `endingLeaseRenewMs` while the holder works; a dead holder's ending
		 * is finished elsewhere about this long after it was asked for.
		 */
		endingLeaseMs: 10_000,
		endingLeaseRenewMs: 3_000,
		/** Asking to end a session another instance is completing waits this long for its summary, looking every `endingPollMs`. */
		endingWaitMs: 20_000,
		endingPollMs: 250
	},
	clusterMedia: {
		/**
		 * A session's media lease (several instances): its owner renews it every
		 * tick while it hosts the room. If the owner dies, its "alive" key goes
		 * first (aliveTtlMs) and the next request or tick elsewhere takes the
		 * lease over; the TTL is the backstop.
		 */
		leaseTtlMs: 10_000,
		aliveTtlMs: 3_000,
		/** How often each instance renews its leases and alive key, and checks the owners of its sockets' calls. */
		tickMs: 1_000,
		/** An owner that could not renew for the TTL less this closes its rooms, before another instance may take them. */
		leaseSafetyMs: 2_000,
		/** A request forwarded to the owner instance waits this long for its answer (then `unavailable`; the browser retries). */
		forwardTimeoutMs: 5_000,
		/** XREAD BLOCK on an instance's inbox: under limits.cluster.redisCommandTimeoutMs, which bounds every command. */
		inboxBlockMs: 1_000,
		/** An inbox keeps about this many messages, and disappears this long after the last one (a dead instance's). */
		inboxMaxLength: 10_000,
		inboxTtlMs: 60_000,
		/** Wait before reading an inbox again after Redis failed. */
		inboxRetryMs: 500,
		/** A lease whose room has no peers is let go after this (capabilities come before the join, so not at once). */
		emptyRoomCloseMs: 30_000
	}
} as const;
