/** AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit are flexible from v3 (KIP-482). */
export const TXN_APIS_FLEXIBLE_FROM = 3;

/** The producer a transactional request speaks for. */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}
