/**
 * Which way a call's media goes: directly between the two browsers when
 * exactly two people are in the call, through the SFU otherwise. Moving
 * from one to the other never leaves a frozen picture: the old path keeps
 * its media until the new one shows frames for the other person, then the
 * tiles switch, then the old path closes (each side waits for the other to
 * say it switched too). A direct connection that does not come up within
 * the server's timeout, or breaks and stays broken that long, gives way to
 * the SFU, and the room says so.
 */
import { untrack } from 'svelte';
import type { DirectSettings, DirectSignal } from '$shared/protocol/index.ts';
import type { log as rootLog } from '$lib/log.ts';
import type { RemoteTrack, RemoteTracks } from '../remote-tracks.svelte.ts';
import type { LocalControls } from '../local-controls.svelte.ts';
import type { RouterDevice } from '../router-device.ts';
import type { Request } from '../transports.ts';
import { DirectLink, type LocalMedia } from './link.svelte.ts';
import { directSwitch, framesOf, selectedPair } from './probe.ts';
import { mark } from '../marks.ts';

export type CallPathName = 'direct' | 'sfu';

export interface PathHost {
	readonly userId: string;
	readonly sessionId: string;
	readonly log: typeof rootLog;
	readonly request: Request;
	/** The router's capabilities say how the direct path is set (ICE servers, timeouts). */
	readonly router: RouterDevice;
	/** What the SFU delivers. */
	readonly tracks: RemoteTracks;
	readonly local: LocalControls;
	/** The person is in the call (past the pre-join screen). */
	wanted(): boolean;
	/** Start (publish everything) or stop (close every producer) sending to the SFU. */
	sendToSfu(on: boolean): Promise<void>;
	/** The direct connection, while it carries the call, went down or came back. */
	connection(up: boolean): void;
}

/** How often a pending switch looks at frames. */
const CHECK_MS = 150;
/** Signals kept for a link not open yet: an offer and its candidates. */
const MAX_EARLY = 64;

export const fallbackWords = 'A direct connection to the other person was not possible on this network, so the call goes through the server.';

export class CallPath {
	path = $state<CallPathName>('sfu');
	/** Why the call is not direct although it could be (the fallback), in words. */
	notice = $state<string | null>(null);
	/** The tiles show the link's tracks for its person. */
	private showDirect = $state(false);
	private link = $state.raw<DirectLink | null>(null);
	private inCall: string[] = [];
	private fallbackWith: string | null = null;
	/** Signals that came before this tab could open the link (capabilities not loaded yet). */
	private early: Array<{ from: string; signal: DirectSignal }> = [];
	private sending = true;
	private timer: ReturnType<typeof setInterval> | null = null;
	private connectTimer: ReturnType<typeof setTimeout> | null = null;
	private aloneTimer: ReturnType<typeof setTimeout> | null = null;
	private switchStarted = 0;
	private checking = false;
	private readonly host: PathHost;
	private readonly stopWatching: () => void;

	constructor(host: PathHost) {
		this.host = host;
		// The link sends whatever the controls have on, whenever that changes.
		this.stopWatching = $effect.root(() => {
			$effect(() => {
				void [host.local.micOn, host.local.micTrack, host.local.localCamera, host.local.localScreen];
				untrack(() => void this.link?.setLocal(this.local()));
			});
		});
	}

	/** Whether set-up should publish to the SFU now. */
	get sfuSending(): boolean {
		return this.sending;
	}

	/**
	 * The others' tracks as the tiles should show them: the link's once it is
	 * the path, and before that too while the SFU shows nothing of that
	 * person (nothing to keep on screen: the first frame shows at once).
	 */
	merge(sfu: RemoteTrack[]): RemoteTrack[] {
		const link = this.link;
		if (!link) return sfu;
		const theirs = sfu.some((r) => r.userId === link.otherId);
		if (!this.showDirect && theirs) return sfu;
		return [...sfu.filter((r) => r.userId !== link.otherId), ...link.remote];
	}

	/** What the link carries, for stats (null when the SFU does). */
	get live(): DirectLink | null {
		return this.showDirect ? this.link : null;
	}

	private settings(): DirectSettings | null {
		return this.host.router.caps?.direct ?? null;
	}

	/** What the controls have on, as the link sends it. */
	private local(): LocalMedia {
		const l = this.host.local;
		return { mic: l.micTrack, micOn: l.micOn, camera: l.localCamera, screen: l.localScreen };
	}

	private get directAllowed(): boolean {
		const settings = this.settings();
		if (!settings || typeof RTCPeerConnection === 'undefined') return false;
		return !(settings.testSwitches && directSwitch() === 'off');
	}

	/** Who is in the call changed (or the call was set up again): pick the path. */
	update(inCall: string[]): void {
		this.inCall = inCall;
		this.decide();
	}

	/**
	 * Before entering: whether to publish to the SFU, from who was in the call.
	 * The link itself waits for the server to have us in the call, or it
	 * would refuse to relay our first offer.
	 */
	expect(inCall: string[]): void {
		this.sending = this.wantsSfu([...inCall, this.host.userId]);
	}

	/** Whether, with the people in the call now, this tab should send to the SFU. */
	wantsSfu(inCall = this.inCall): boolean {
		const others = inCall.filter((u) => u !== this.host.userId);
		if (!this.directAllowed) return true;
		if (others.length === 0) return false;
		return others.length > 1 || others[0] === this.fallbackWith;
	}

	private decide(): void {
		if (!this.host.wanted()) return;
		const others = this.inCall.filter((u) => u !== this.host.userId);
		if (this.fallbackWith && !(others.length === 1 && others[0] === this.fallbackWith)) {
			// A new pair (or a group): the direct path gets a new chance.
			this.fallbackWith = null;
			this.notice = null;
		}
		if (!this.wantsSfu()) {
			if (others.length === 0) {
				void this.setSending(false);
				this.closeWhenStillAlone();
				return;
			}
			const target = others[0]!;
			if (this.link && this.link.otherId !== target) this.closeLink();
			if (!this.link) this.openLink(target);
		} else {
			void this.setSending(true);
			if (!this.link) this.path = 'sfu';
			else if (!this.showDirect) this.closeLink();
			else this.switchStarted ||= Date.now();
		}
		this.watch();
	}

	/** A relayed message from the other person. */
	receive(from: string, signal: DirectSignal): void {
		if (!this.host.wanted()) return;
		if (signal.kind === 'fallback') {
			if (this.link?.otherId === from || this.inCall.includes(from)) this.fallBack(from, false);
			return;
		}
		if (this.link?.otherId === from) return this.link.receive(signal);
		// Their offer can come before our own list of who is in the call, or before our capabilities.
		if (this.early.length < MAX_EARLY) this.early.push({ from, signal });
		if (!this.link && this.directAllowed && from !== this.fallbackWith && !this.wantsSfu(this.inCall.includes(from) ? this.inCall : [...this.inCall, from])) this.openLink(from);
	}

	/** The candidate pair the direct connection uses, while it carries the call. */
	async pair(): Promise<ReturnType<typeof selectedPair>> {
		return this.live ? selectedPair(await this.live.pc.getStats()) : null;
	}

	/** The socket is back: a link that is down gets a new ICE round. */
	resumed(): void {
		this.link?.restart();
		this.decide();
	}

	private openLink(otherId: string): void {
		const { log } = this.host;
		const blockHost = Boolean(this.settings()?.testSwitches && directSwitch() === 'blocked');
		const link = new DirectLink({
			otherId,
			polite: this.host.userId < otherId,
			iceServers: this.host.router.caps?.iceServers,
			blockHost,
			startBitrateKbps: this.settings()?.startBitrateKbps,
			send: (signal) => this.send(signal),
			connection: (up) => this.connectionChanged(link, up),
			failed: (err, what) => log.warn({ err, message: String(err), what, other: otherId }, 'direct connection step failed'),
			message: () => this.watch()
		});
		this.link = link;
		mark('direct-open');
		this.showDirect = false;
		this.switchStarted = 0;
		log.info({ other: otherId, polite: this.host.userId < otherId, blockHost }, 'direct connection opening');
		void link.setLocal(this.local());
		for (const e of this.early.splice(0)) if (e.from === otherId) link.receive(e.signal);
		this.armConnectTimer(link);
	}

	/** Alone in the call: the link waits a moment for the other (a server restart), then closes. */
	private closeWhenStillAlone(): void {
		if (!this.link || this.aloneTimer) return;
		this.aloneTimer = setTimeout(() => {
			this.aloneTimer = null;
			if (this.link && !this.inCall.includes(this.link.otherId)) this.closeLink();
		}, this.settings()?.aloneGraceMs ?? 15_000);
	}

	private send(signal: DirectSignal): void {
		this.host.request('media:direct', { sessionId: this.host.sessionId, signal }).catch((err: { code?: string }) => {
			// A refusal says the call is no longer two; the next inCall moves it.
			this.host.log.info({ code: err.code, kind: signal.kind }, 'direct signal not relayed');
		});
	}

	private armConnectTimer(link: DirectLink): void {
		if (this.connectTimer) return;
		const ms = this.settings()?.connectTimeoutMs ?? 3000;
		this.connectTimer = setTimeout(() => {
			this.connectTimer = null;
			if (this.link === link && !link.connected) this.fallBack(link.otherId, true);
		}, ms);
	}

	private connectionChanged(link: DirectLink, up: boolean): void {
		if (this.link !== link) return;
		if (up) {
			if (this.connectTimer) clearTimeout(this.connectTimer);
			this.connectTimer = null;
			this.watch();
		} else if (!this.inCall.includes(link.otherId)) {
			// They left: nothing to wait for.
			this.closeLink();
			return;
		} else {
			this.armConnectTimer(link);
		}
		if (this.showDirect) this.host.connection(up);
	}

	/** The direct connection did not come up (or broke for good): the SFU carries the call. */
	private fallBack(otherId: string, tellOther: boolean): void {
		this.host.log.warn({ other: otherId, told: !tellOther }, 'direct connection not possible; using the SFU');
		if (tellOther) this.send({ kind: 'fallback' });
		this.fallbackWith = otherId;
		this.notice = fallbackWords;
		// Nothing direct is worth keeping on screen: the SFU takes over at once.
		this.closeLink();
		this.path = 'sfu';
		void this.setSending(true);
	}

	private async setSending(on: boolean): Promise<void> {
		if (this.sending === on) return;
		this.sending = on;
		await this.host.sendToSfu(on);
	}

	/** Checks a pending switch every few frames until it is done. */
	private watch(): void {
		this.timer ??= setInterval(() => void this.check(), CHECK_MS);
		void this.check();
	}

	private async check(): Promise<void> {
		if (this.checking) return;
		this.checking = true;
		try {
			const done = await this.step();
			if (done && this.timer) {
				clearInterval(this.timer);
				this.timer = null;
			}
		} catch (err) {
			this.host.log.warn({ err }, 'call path check failed');
		} finally {
			this.checking = false;
		}
	}

	/** One look at a pending switch; true when nothing is pending any more. */
	private async step(): Promise<boolean> {
		const link = this.link;
		if (!link) return true;
		if (!this.wantsSfu()) {
			// Towards direct: show it once it shows frames, stop the SFU once the other shows ours.
			if (!this.showDirect) {
				if (!link.connected || !link.peerState || (link.peerState.on.camera && (await link.framesDecoded()) === 0)) return false;
				this.showDirect = true;
				this.path = 'direct';
				this.host.connection(true);
				link.post({ type: 'ready' });
			}
			if (!link.peerReady) return false;
			await this.setSending(false);
			return true;
		}
		// Towards the SFU: switch the tiles once its frames come, close the link once the other switched too.
		if (this.showDirect) {
			const waited = Date.now() - (this.switchStarted || Date.now());
			if (!(await this.sfuShows(link.otherId, link)) && waited < this.switchWaitMs) return false;
			this.showDirect = false;
			this.path = 'sfu';
			link.post({ type: 'switched' });
		}
		const waited = Date.now() - (this.switchStarted || Date.now());
		if (!link.peerSwitched && this.inCall.includes(link.otherId) && waited < this.switchWaitMs) return false;
		this.closeLink();
		return true;
	}

	private get switchWaitMs(): number {
		return this.settings()?.switchWaitMs ?? 8_000;
	}

	/** Whether the SFU already shows this person as the link does (moving camera, or at least their sound). */
	private async sfuShows(userId: string, link: DirectLink): Promise<boolean> {
		const theirs = this.host.tracks.list.filter((r) => r.userId === userId);
		if (!this.inCall.includes(userId)) return true;
		if (!link.peerState?.on.camera) return theirs.length > 0 || !link.peerState?.on.mic;
		const camera = theirs.find((r) => r.source === 'camera');
		const consumer = camera && this.host.tracks.consumers.get(camera.consumerId);
		return Boolean(consumer && (await framesOf(await consumer.getStats())) > 0);
	}

	private closeLink(): void {
		for (const t of [this.connectTimer, this.aloneTimer]) if (t) clearTimeout(t);
		this.connectTimer = this.aloneTimer = null;
		this.link?.close();
		if (this.link) this.host.log.info({ other: this.link.otherId }, 'direct connection closed');
		this.link = null;
		this.early = [];
		this.showDirect = false;
		this.switchStarted = 0;
	}

	/** The room is gone. */
	destroy(): void {
		this.close();
		this.stopWatching();
	}

	/** The person left (or another tab took over): nothing direct stays open. */
	close(): void {
		this.closeLink();
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		this.sending = true;
		this.path = 'sfu';
	}
}
