/**
 * The controllers' event recorder is the client's (it moved to `src/client/event-recorder.ts`,
 * where the node agent uses it too); this module keeps the controllers' import path.
 */
export { ApiEventRecorder } from '../client/event-recorder.ts';
export type { EventRecorderOptions } from '../client/event-recorder.ts';
