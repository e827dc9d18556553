import type { RecordRejectionReason } from '../store/record';

/** A stored record that failed its checks and was skipped. */
export interface IntegrityFailure {
  threadId: string;
  namespace: string;
  /** The checkpoint, or the checkpoint a pending write belongs to; unset for a channel value. */
  checkpointId?: string;
  /** Set when the record is a pending write (`<task id>,<idx>`). */
  write?: string;
  /** Set when the record is a channel value (`[channel, version]` as JSON), which several checkpoints may share. */
  blob?: string;
  reason: RecordRejectionReason;
}
