/** Mesh-wide saga topics (see docs/architecture.md). */
export const SAGA_REPLIES_TOPIC = 'saga.replies';
export const SAGA_EVENTS_TOPIC = 'saga.events';
export const SAGA_STUCK_TOPIC = 'saga.stuck';
/** Approvals and rejections of wait steps (schemas/mesh/saga-signal.avsc), keyed by saga id. */
export const SAGA_SIGNALS_TOPIC = 'saga.signals';
export const DEFAULT_COORDINATOR_GROUP = 'mesh-coordinator';

/**
 * The topic config saga.replies is created with: each reply is stamped with the broker's clock when appended,
 * and whether a step replied before its deadline is judged by that time, whoever reads the reply and however late.
 */
export const SAGA_REPLIES_CONFIG: ReadonlyArray<{ name: string; value: string }> = [{ name: 'message.timestamp.type', value: 'LogAppendTime' }];
