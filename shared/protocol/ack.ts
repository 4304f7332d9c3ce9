import type { Result } from '../result.ts';

/** Every client request is acknowledged with a Result: a value, or a code and a message. */
export type Ack<T> = (result: Result<T>) => void;
