/**
 * With several instances, socket.io's rooms span them through Redis streams
 * (@socket.io/redis-streams-adapter): `io.to(room).emit` reaches sockets on
 * every instance, and a broadcast written while an instance's link to Redis
 * blips is read after it, from the stream, instead of being lost as with
 * pub/sub. fetchSockets and serverSideEmit go over pub/sub channels named
 * for this deployment's database (channels are not per database).
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { limits } from '../config/index.ts';
import type { Cluster } from '../cluster/index.ts';
import type { RoomServer } from './index.ts';

export function shareRooms(io: RoomServer, cluster: Cluster): void {
	const l = limits.clusterRooms;
	io.adapter(
		createAdapter(cluster.connection('socket.io'), {
			streamName: `${cluster.keyPrefix}socket.io`,
			channelPrefix: `${cluster.channelPrefix}socket.io`,
			maxLen: l.adapterStreamMaxLen,
			// Below the connection's command timeout, which would otherwise cut every blocking read.
			blockTimeInMs: l.adapterBlockMs,
			heartbeatInterval: l.adapterHeartbeatMs,
			heartbeatTimeout: l.adapterHeartbeatTimeoutMs
		})
	);
}
