export { MeshCheckpointSaver, MESH_FENCE_KEY, type MeshCheckpointSaverOptions, type MeshCheckpointSaverTarget } from './saver/mesh-checkpoint-saver';
export { CheckpointConfigError } from './saver/errors';
export type { IntegrityFailure } from './saver/integrity';
export type { RecordRejectionReason } from './store/record';
export { DEFAULT_LANGGRAPH_KEY_PREFIX, type ThreadKeys } from './store/keys';
