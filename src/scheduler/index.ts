/**
 * The scheduler: a pure core (plugins, `schedulePod`, the queue and cache data structures) and a
 * thin shell (`Scheduler`) that reaches the cluster only through src/client.
 */
export { Scheduler } from './scheduler.ts';
export type { SchedulerOptions } from './scheduler.ts';
export { defaultProfile, DEFAULT_SCHEDULER_NAME } from './profile.ts';
export type { Profile } from './profile.ts';
export { schedulePod } from './schedule-pod.ts';
export type { Logger } from './event-recorder.ts';
