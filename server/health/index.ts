/**
 * The process's own health: event-loop stalls, logged with what was running.
 * - `watchEventLoop(log)`: starts the watch (main.ts does, once).
 * - `running(label, fn)`: wrap heavy synchronous work so a stall can name it.
 */
export { running, watchEventLoop } from './event-loop.ts';
