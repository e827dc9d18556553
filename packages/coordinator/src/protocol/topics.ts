/** Mesh-wide saga topics (see docs/architecture.md). */
export const SAGA_REPLIES_TOPIC = 'saga.replies';
export const SAGA_EVENTS_TOPIC = 'saga.events';
export const SAGA_STUCK_TOPIC = 'saga.stuck';
export const DEFAULT_COORDINATOR_GROUP = 'mesh-coordinator';
