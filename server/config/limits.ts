/**
 * Every tuning knob of the server (timeouts, limits, backoff), each with its
 * reason, in one place. The rest of the server reads them as `limits` from
 * config/index.ts; what comes from the environment is in index.ts.
 */
import { clusterLimits } from './limits-cluster.ts';

/** Tuning knobs. Change them here (several instances' in limits-cluster.ts), nowhere else. */
export const limits = {
	health: {
		/** A synchronous stretch longer than this is logged with what was running: every user waited that long. */
		eventLoopStallMs: 100,
		/** How often the loop is checked; a stall shows up at most this much later. */
		eventLoopCheckMs: 50
	},
	store: {
		/** How often the SQLite log is copied back into the database file, off the write path. */
		walCheckpointIntervalMs: 1_000
	},
	http: {
		/** Largest request body the app accepts; forms and JSON here are small. */
		maxBodyBytes: 256 * 1024,
		/** Time given to in-flight requests and sockets on SIGTERM before exit. */
		shutdownGraceMs: 5_000
	},
	auth: {
		/** Session lifetime when none is configured (SESSION_LIFETIME_MINUTES); each use in its second half extends it again (sliding expiry). */
		sessionLifetimeMs: 30 * 24 * 60 * 60 * 1000,
		/**
		 * Open socket.io and pad connections outlive their handshake's check; their
		 * sign-in sessions are checked again at the earliest expiry and at least
		 * this often, so a session that expired or was ended by another instance
		 * closes its connections within this time. One indexed query per check.
		 */
		liveCheckMs: 15_000,
		/** Failed sign-ins tolerated per email+address before a pause. */
		loginAttempts: 5,
		loginWindowMs: 15 * 60 * 1000,
		/**
		 * Failed sign-ins per account from anywhere in the window: guessing
		 * from many addresses is slowed, while the owner (own address) keeps
		 * the per-email+address budget above first.
		 */
		loginFailuresPerAccount: 20,
		/** Failed sign-ins per address, whatever the email: one address trying many accounts (each costs an argon2 verify). */
		loginFailuresPerAddress: 10,
		/** Sign-ups per address are counted over this window (the count is config.signUpsPerAddressPerHour). */
		signUpWindowMs: 60 * 60 * 1000,
		/** Password-reset requests per address per window. */
		resetRequestsPerAddress: 10,
		resetWindowMs: 60 * 60 * 1000,
		/** Account emails (sign-up attempts, resets, confirmations) to one address per window: nobody can mail-bomb an address through us. */
		accountMailsPerAddress: 5,
		accountMailWindowMs: 60 * 60 * 1000,
		/** zxcvbn score (0-4) a password must reach: 3 is "safely unguessable" against an online attacker with throttling lifted. */
		passwordMinScore: 3,
		/** Password strength checks per address per hour (sign-up and reset; at least 6 per sign-up allowed): each costs up to half a second of a worker's CPU. */
		strengthChecksPerAddress: 60,
		strengthCheckWindowMs: 60 * 60 * 1000,
		/** Characters of a password the strength check scores (its cost grows with length: ~0.5 s of a worker's CPU at 94). */
		strengthCheckedChars: 64,
		/** The strength check answers well within this even while loading its dictionaries on a busy machine. */
		strengthCheckTimeoutMs: 15_000,
		/** A sign-up link finishes creating the account within a day. */
		signUpLinkLifetimeMs: 24 * 60 * 60 * 1000,
		/** A link confirming an existing account's address. */
		confirmLinkLifetimeMs: 24 * 60 * 60 * 1000,
		/** A password-reset link is short-lived: it is as good as the password. */
		resetLinkLifetimeMs: 30 * 60 * 1000,
		/** A session's "last seen" is written at most this often, not on every request. */
		lastSeenEveryMs: 5 * 60 * 1000,
		/** Security events shown on a person's activity page (newest first). */
		auditShown: 200,
		passwordMinLength: 10,
		passwordMaxLength: 256,
		/** Two-factor sign-in (server/auth/second-factor). */
		twoFactor: {
			/** Authenticator-app codes: RFC 6238 defaults every app understands. */
			totpPeriodSeconds: 30,
			totpDigits: 6,
			/** Steps either side of now a code is still accepted (phone clocks drift). */
			totpWindowSteps: 1,
			/** Between the password and the second factor: long enough to find the phone. */
			pendingLifetimeMs: 10 * 60 * 1000,
			/** Wrong second-factor codes per account in loginWindowMs before a pause (a 6-digit code must not be guessable). */
			failuresPerAccount: 5,
			recoveryCodes: 10,
			/** A WebAuthn challenge is used once, within this. */
			challengeLifetimeMs: 5 * 60 * 1000,
			/** Challenges outstanding at once (each is a small map entry), oldest dropped first. */
			maxChallenges: 10_000,
			passkeysPerAccount: 10
		}
	},
	invites: {
		/** An invite link is single use and goes stale after a week. */
		lifetimeMs: 7 * 24 * 60 * 60 * 1000
	},
	contracts: {
		/** A contract PDF takes some 150 ms of a worker thread; one that takes this long is given up and its email retried. */
		pdfDeadlineMs: 30_000
	},
	sponsors: {
		/** Like a coachee's invite: single use, a week. */
		linkLifetimeMs: 7 * 24 * 60 * 60 * 1000,
		/** An update for a sponsor is a few sentences, not a report. */
		maxUpdateChars: 2_000
	},
	scoping: {
		/** A scoping link gives the prospect two weeks to answer; the coach can make a new one. */
		linkLifetimeMs: 14 * 24 * 60 * 60 * 1000,
		/** (Form sizes are in shared/scoping/forms.ts, SCOPING_LIMITS, as both the page and the server check them.) Proposals the dashboard lists, newest first. */
		dashboardShown: 50
	},
	schemes: {
		/** A volunteer's or co-coordinator's invitation: single use, two weeks (volunteers answer slower than coachees). */
		inviteLifetimeMs: 14 * 24 * 60 * 60 * 1000,
		/** Suggestions shown per request: enough to choose from, few enough to read the reasons. */
		suggestions: 8,
		/** Most places one volunteer can offer; schemes ask for a few coachees at once, not a caseload. */
		maxCapacity: 10,
		/** Controlled expertise areas per scheme. */
		maxAreas: 40,
		/** The introductory meeting is suggested at least this far ahead, so both can fit it in. */
		introLeadMs: 2 * 24 * 60 * 60 * 1000,
		introMinutes: 30,
		/** Schemes whose parsed volunteer pool stays in memory for ranking (10,000 profiles are a few MB); cleared when full. */
		cachedPools: 50
	},
	socket: {
		/** socket.io message cap; kept low after the engine.io memory CVEs. */
		maxMessageBytes: 100_000,
		/** Events per socket per window before acks answer `rate_limited`. */
		eventsPerWindow: 60,
		eventWindowMs: 10_000,
		/** Fast detection of dead connections (users expect seconds, not 15 s). */
		pingIntervalMs: 5_000,
		pingTimeoutMs: 5_000,
		/**
		 * socket.io connections one account may hold at once (a session page is
		 * one; a person with a phone, a laptop and a few tabs stays well under).
		 * Each has its own event budget, so this bounds what one account can send.
		 */
		maxConnectionsPerAccount: 10
	},
	prompts: {
		/**
		 * A coach's own prompts. Search is measured at the library plus 1,000
		 * custom prompts (docs/benchmarks.md); more would risk the per-keystroke
		 * budget on a slow laptop or phone.
		 */
		maxCustomPerCoach: 1_000,
		/** Prompts marked as asked in one session: a long session asks a few dozen; this bounds the timeline and summary. */
		maxAskedPerSession: 300
	},
	pad: {
		/** Largest sync/awareness frame; a session's whole pad is far smaller. Bigger frames are closed with 1009. */
		maxMessageBytes: 1024 * 1024,
		/** Largest document (stored bytes before compaction); a session's notes are kilobytes, this is 100x that. */
		maxDocBytes: 4 * 1024 * 1024,
		/**
		 * Messages per connection: fast typing with a moving caret is ~30/s
		 * (one update and one awareness message per keystroke); a burst covers
		 * reconnect resyncs and pasting.
		 */
		messagesPerSecond: 60,
		messageBurst: 300,
		/** Structs one update may declare (yjs issue 687); a 1 MiB paste is well under this. */
		maxStructsPerUpdate: 100_000,
		/** Highest clock a client may declare: ~1 billion inserted characters per client, never reached honestly. */
		maxClock: 2 ** 30,
		/**
		 * Every update's apply is timed (CPU time of this thread); one that takes
		 * longer than this is refused before it is stored or relayed, its sender
		 * closed and the document rebuilt as it was. A backstop: the cost
		 * estimate below refuses the expensive shapes it knows before applying.
		 */
		applyBudgetMs: 100,
		/**
		 * The work an update may cause, estimated against the live document
		 * before it is applied (server/pad/apply-cost.ts). Units are about a
		 * nanosecond on a loaded development machine, measured with the shapes
		 * in tests/unit/pad-apply-cost.test.ts; the weights lean high, since the
		 * same splice cost 1-10 ns per moved struct from run to run.
		 */
		applyCost: {
			/**
			 * About 30 ms at the slowest measured rates (typically 5-10x less):
			 * every person on the server waits while an update applies. Honest
			 * updates stay far below: a keystroke costs ~2,000, a reconnect's
			 * sync step 2 carrying 4,800 historic deletions ~1 million, syncing
			 * back 300 offline edits ~3.4 million.
			 */
			budget: 30_000_000,
			/** Integrating one struct: 1.5-2 µs measured (30,000 formatted runs, 5,000 clients). */
			struct: 2_000,
			/** Splitting an item (new item, content split), before the splice. */
			split: 1_000,
			/** Per struct a split's splice moves (those after the split item): 0.2-10 ns measured, so the high end. */
			movedStruct: 10,
			/** Deleting and garbage-collecting one live item: ~2 µs per one-character delete range with its splits. */
			deletedItem: 2_000,
			/** Reading a delete range and finding its start (a binary search). */
			deleteRange: 200,
			/** Stepping over one struct inside a delete range, e.g. one deleted long ago. */
			visitedStruct: 20,
			/** One step of Yjs's conflict scan past an item at the same place: ~250 ns measured (1,400 inserts without right origin inside one item: 500 ms). */
			conflictStep: 250,
			/**
			 * Updates estimated at this much work or more are timed in thread CPU
			 * time (a system call each side); smaller ones, keystrokes at ~2,000,
			 * by the clock, which can only overstate their CPU time.
			 */
			timedFrom: 200_000
		},
		/**
		 * Compact a document's update log into a snapshot after this many
		 * updates (and when it goes idle). Loading 2,000 keystroke updates takes
		 * milliseconds; compacting much more often made the write-ahead log churn
		 * and showed in the pad's p99 (docs/benchmarks.md).
		 */
		compactAfterUpdates: 2_000,
		/**
		 * ...and at the latest this long (1-1.5x) after its first update since
		 * the last compaction: on SQLite, journal segments are deleted once
		 * snapshots cover them, so this bounds the journal (and the replay at
		 * start-up after a crash) to about a minute and a half of updates.
		 */
		compactAfterMs: 60_000,
		/** On SQLite, a journal segment file is closed at this size and deleted once snapshots cover it. */
		journalSegmentBytes: 16 * 1024 * 1024,
		/** On SQLite, the journal is flushed to disk this often (a power cut loses at most about this much). */
		journalSyncMs: 1_000,
		/** A document with nobody connected is compacted and dropped from memory after this long. */
		unloadAfterMs: 30_000,
		/** Retry backoff for failed saves: 200 ms doubling to 10 s, for as long as it takes. */
		writeRetryMinMs: 200,
		writeRetryMaxMs: 10_000,
		/** A document rebuilt from the store after a refused update retries this often while the store cannot be read. */
		rebuildRetryMs: 1_000,
		/**
		 * On SQLite, pad snapshots share the store's connection and wait while
		 * one of its transactions is open (those take milliseconds); past this
		 * the compaction counts as failed and is tried again later.
		 */
		storeBusyMaxWaitMs: 2_000,
		/** Refused sync handshakes per address per minute before further attempts are refused unchecked (like failed sign-ins). */
		refusalsPerMinute: 60,
		/** Ping interval; a connection that missed a whole interval is dropped (y-websocket clients expect < 30 s). */
		heartbeatMs: 15_000,
		/** Connections to one document: a group engagement with a few tabs each. */
		maxConnectionsPerDoc: 40,
		/**
		 * One person's share of a document's connections: past it their own
		 * oldest is closed (4409), so a flood of one member never shuts out
		 * another. 8 participants x 4 stays under maxConnectionsPerDoc.
		 */
		maxConnectionsPerUser: 4,
		/** Awareness clients one connection may hold: a stock provider uses one. */
		awarenessClientsPerConnection: 4,
		/**
		 * Characters of awareness state one connection may hold (a name, a colour,
		 * a caret: ~200). Every newcomer is sent all of it, so a join costs at most
		 * maxConnectionsPerDoc x this (640 KiB).
		 */
		awarenessBytesPerConnection: 16 * 1024,
		/**
		 * Full-state answers (sync step 2, awareness queries) are charged per
		 * person and document: three whole maximal documents at once, then a
		 * quarter MiB a second. Honest clients ask once per connection.
		 */
		answerBurstBytes: 12 * 1024 * 1024,
		answerBytesPerSecond: 256 * 1024
	},
	room: {
		/**
		 * A scheduled session goes live when a member joins it from this long
		 * before its booked time until this long after it; outside that, only
		 * the coach starts it (opening the page is not starting). A year-ahead
		 * booking opened by a coachee stays scheduled.
		 */
		startWindow: { beforeMs: 15 * 60_000, afterMs: 2 * 60 * 60_000 },
		maxParticipants: 8,
		/** A participant whose socket dropped shows as reconnecting for this long. */
		reconnectGraceMs: 30_000
	},
	media: {
		/**
		 * Signalling requests per socket per window. Joining an 8-person room
		 * takes ~45 requests (transports, 3 producers, 2 consumers per other
		 * person, resumes) and a reconnect repeats part of it, so media has its
		 * own budget instead of eating the room's.
		 */
		requestsPerWindow: 300,
		requestWindowMs: 10_000,
		/** Waited before replacing a dead mediasoup worker, so a crash loop cannot spin a core. */
		workerRespawnDelayMs: 1_000,
		/** How often a missing worker binary is looked for again while media is unavailable. */
		workerRetryMs: 10_000,
		/**
		 * Bitrate the server assumes towards a browser before measuring: high
		 * enough that the first frames come from a sharp layer on a good link.
		 */
		initialOutgoingBitrate: 1_000_000,
		/** Cap on what one browser may send us (camera + screen + audio). */
		maxIncomingBitrate: 3_000_000,
		/**
		 * Camera simulcast layers (640x480 capture): a small layer for weak links
		 * and grids, a full one for the 1:1 main view.
		 */
		cameraLayers: [
			{ scaleResolutionDownBy: 2, maxBitrate: 200_000 },
			{ scaleResolutionDownBy: 1, maxBitrate: 900_000 }
		],
		/** Screen text must stay readable, so one sharp layer. */
		screenMaxBitrate: 1_500_000,
		/**
		 * A one-to-one call goes peer to peer; if that connection is not up
		 * (ICE + DTLS) within this time (blocked UDP, symmetric NAT without
		 * TURN), or breaks and does not come back within it, the call moves to
		 * the SFU. On loopback it connects in ~100 ms, across the internet with
		 * STUN in well under a second; 3 s leaves room for a slow network
		 * without a long black picture when it cannot work.
		 */
		directConnectTimeoutMs: 3_000,
		/**
		 * Moving a call of two to the SFU (a third joined), each side keeps the
		 * direct media until the SFU shows frames and the other side says so
		 * too; past this it closes the direct connection anyway (a stalled
		 * consumer must not keep a connection open for ever).
		 */
		directSwitchWaitMs: 8_000,
		/**
		 * After a server restart each browser is alone in the new call for a
		 * moment; the direct connection (which never needed the server) stays
		 * up this long for the other to come back. Someone who left for good
		 * closes it from their side sooner.
		 */
		directAloneGraceMs: 15_000
	},
	/** How soon the first remote picture shows after a click on Join (issue 18, `npm run bench:join`). */
	join: {
		/**
		 * The video bitrate a browser starts sending at on the direct path, as
		 * the SFU path does (`initialOutgoingBitrate`, and mediasoup-client's
		 * start bitrate); Chromium's own start is 300 kbps, so the first
		 * seconds would be encoded for less than a good link carries. On
		 * loopback the time to the first frame did not measurably change (the
		 * estimate reaches ~1.4 Mbps within a second either way). Bandwidth
		 * estimation lowers it quickly on a link that cannot carry it.
		 */
		directStartBitrateKbps: 1_000
	},
	summary: {
		/** How long the end dialog waits for open pages to report pad edits not yet synced. */
		unsyncedCheckMs: 1_500,
		/** How long ending waits for the pad to hand over its final state before recording what it has. */
		padFinalStateTimeoutMs: 5_000,
		/**
		 * Emailing a correction sends the summary to every member again. A coach
		 * fixing a typo, then a date, then a name emails three times; more than
		 * that in a day is noise in everyone's inbox (or a way to flood it), so
		 * further corrections that day are saved without emailing or wait.
		 */
		correctionMails: { perSummary: 3, windowMs: 24 * 60 * 60_000 },
		/** Bounds on a coach's correction, so a summary stays an email-sized document. */
		maxActions: 200,
		maxTextChars: 20_000,
		/** A failed ending job (e.g. database briefly down) is retried this often. */
		endingRetryMs: 5_000,
		/**
		 * What one summary section may hold when it is rendered; the rest is cut
		 * with a visible line (the pad keeps everything). A session's notes are
		 * kilobytes (20,000 characters is some 3,000 words) and a correction
		 * holds at most `maxTextChars` per field, so honest summaries are never
		 * cut; the pad takes up to 4 MiB, which no email should carry and no
		 * page should render. Every page view and email costs time in
		 * proportion to these (serialising, encoding), so they stay email-sized.
		 */
		sectionChars: { notes: 20_000, privateNotes: 20_000, learningPoints: 20_000, actions: 20_000 },
		/**
		 * Summaries are rendered in a worker thread, never on the event loop.
		 * The renderer is linear (about 2 ms per 1,000 characters at worst on
		 * hostile text, so a coach's copy at the bounds takes well under a
		 * second); past this deadline the worker is stopped and that version is
		 * rendered as plain escaped text instead.
		 */
		renderDeadlineMs: 5_000
	},
	scheduler: {
		/** How often due jobs are looked for: reminders go out within this of their time. */
		pollMs: 1_000,
		/** Jobs claimed at once. */
		batch: 20,
		/** A claimed job is another process's to take again after this (its process died mid-job). */
		leaseMs: 5 * 60_000,
		/** Retry backoff like the mail queue: 5 s doubling to 15 min, then recorded as failed. */
		retryBaseMs: 5_000,
		retryMaxMs: 15 * 60_000,
		maxAttempts: 12
	},
	rhythm: {
		/** Reminders before a session when a person has not chosen: 24 h and 1 h. */
		defaultReminderMinutes: [24 * 60, 60],
		/** At most this many reminders per session, each at most two weeks ahead. */
		maxReminders: 4,
		maxReminderMinutes: 14 * 24 * 60,
		/** Nudges and due-date emails are checked this often (a durable job that schedules its next run). */
		sweepEveryMs: 60 * 60_000,
		/** A series proposes at most this many dates at once, even when the contract has more. */
		maxSeries: 52,
		/** Preparation text per field. */
		maxPreparationChars: 4_000,
		/** An action comment between sessions. */
		maxCommentChars: 1_000
	},
	closing: {
		/** The report goes out once everyone has given their final evaluation, or this long after the close at the latest. */
		reportAfterMs: 14 * 24 * 60 * 60_000,
		/** The sponsor's version of the report is drafted as a sponsor update, so it keeps to an update's length. */
		sponsorDraftChars: 2_000
	},
	calendar: {
		/** Notice asked for moving or cancelling when no contract is in force (an introductory meeting). */
		defaultNoticeHours: 24,
		/** A feed shows sessions from this far back, so a month's history stays in a subscribed calendar. */
		feedHistoryMs: 90 * 24 * 60 * 60_000,
		/** At most this many sessions in one feed. */
		feedMaxSessions: 500
	},
	mail: {
		/**
		 * Retry backoff for failed deliveries: 2 s, 4 s, 8 s ... capped at 15 min,
		 * given up after 10 attempts (about an hour and a half in all), so a mail
		 * server restart is ridden out but a dead address does not retry forever.
		 */
		retryBaseMs: 2_000,
		retryMaxMs: 15 * 60_000,
		maxAttempts: 10,
		/** The queue also wakes this often, to pick up retries that have come due. */
		pollMs: 5_000,
		/** SMTP timeouts: a stalled server fails the attempt instead of hanging the queue. */
		connectionTimeoutMs: 10_000,
		greetingTimeoutMs: 10_000,
		socketTimeoutMs: 30_000,
		/** Messages sent at once; one coaching pair needs two, a busy server a few more. */
		concurrency: 4,
		/** How much of each sent message's text the Mailbox keeps to show (a contract runs to about 6,000 characters). */
		previewChars: 12_000,
		/** Messages one Mailbox page lists, newest first. */
		mailboxShown: 200
	},
	feedback: {
		/**
		 * The one reminder to give feedback goes this long after a session ended,
		 * and only to someone who neither answered nor chose "not this time":
		 * a day, so it arrives while the session is still fresh.
		 */
		reminderAfterMs: 24 * 60 * 60_000
	},
	practice: {
		/** One supervision note: a page or two of reflection, the length of a supervision case write-up. */
		noteChars: 20_000,
		/** Notes kept per engagement; weekly reflections over years stay well inside it. */
		notesPerEngagement: 500,
		/** The client's organisation as the coach names it in the log. */
		organisationChars: 120
	},
	...clusterLimits,
	yourData: {
		/** Wrong passwords tolerated per account when deleting it, before a pause (the same window as sign-in). */
		deleteAttempts: 5,
		/** Emptying the SQLite log after an erasure: tries, and the wait between them while the checkpointer holds it. */
		checkpointAttempts: 20,
		checkpointRetryMs: 100
	}
} as const;
